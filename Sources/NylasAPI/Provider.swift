/// The providers bulk authentication supports.
public enum Provider: String, Sendable, Codable, CaseIterable, Hashable {
    /// Google Workspace, through a service account with domain-wide delegation.
    case google
    /// Microsoft 365, through Azure AD admin consent.
    case microsoft

    /// The credential type a bulk-auth credential of this provider must have.
    public var bulkCredentialType: CredentialType {
        switch self {
        case .google: return .serviceAccount
        case .microsoft: return .adminConsent
        }
    }
}

/// `credential_type` of a connector credential. Kept open (a struct) because Nylas may add types.
public struct CredentialType: RawRepresentable, Sendable, Codable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }

    /// Google service account key (`private_key_id`, `private_key`, `client_email`).
    public static let serviceAccount = CredentialType(rawValue: "serviceaccount")
    /// Microsoft admin consent (`client_id`, `client_secret`, `tenant`).
    public static let adminConsent = CredentialType(rawValue: "adminconsent")
    /// Connector override (`client_id`, `client_secret`); not used by bulk auth.
    public static let connector = CredentialType(rawValue: "connector")
}
