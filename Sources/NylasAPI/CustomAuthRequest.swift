/// The body of `POST /v3/connect/custom` for bulk authentication.
public struct CustomAuthRequest: Sendable, Codable, Hashable {
    public struct Settings: Sendable, Codable, Hashable {
        public var credentialId: String
        public var emailAddress: String
        /// Google only; Microsoft takes its scopes from the Azure application.
        public var scopes: [String]?

        public init(credentialId: String, emailAddress: String, scopes: [String]?) {
            self.credentialId = credentialId
            self.emailAddress = emailAddress
            self.scopes = scopes
        }

        enum CodingKeys: String, CodingKey {
            case credentialId = "credential_id"
            case emailAddress = "email_address"
            case scopes
        }
    }

    public var provider: String
    public var settings: Settings

    public init(provider: String, settings: Settings) {
        self.provider = provider
        self.settings = settings
    }

    /// A bulk-auth request for one user: scopes are sent for Google only.
    public static func bulk(
        provider: Provider, credentialID: String, email: String, scopes: [String]
    ) -> CustomAuthRequest {
        CustomAuthRequest(
            provider: provider.rawValue,
            settings: .init(
                credentialId: credentialID, emailAddress: email,
                scopes: provider == .google ? scopes : nil
            )
        )
    }
}
