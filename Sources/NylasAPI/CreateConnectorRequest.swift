/// The body of `POST /v3/connectors` for the providers bulk authentication uses:
/// `{"provider", "settings": {"client_id", "client_secret", "tenant"?}, "scope"?: [...]}`.
///
/// `clientSecret` is a secret, so `description` never shows it.
public struct CreateConnectorRequest: Sendable, Codable, Hashable, CustomStringConvertible {
    public struct Settings: Sendable, Codable, Hashable {
        public var clientId: String
        public var clientSecret: String
        /// Microsoft only: the tenant id, or `common`.
        public var tenant: String?

        public init(clientId: String, clientSecret: String, tenant: String? = nil) {
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.tenant = tenant
        }

        enum CodingKeys: String, CodingKey {
            case clientId = "client_id"
            case clientSecret = "client_secret"
            case tenant
        }
    }

    public var provider: Provider
    public var settings: Settings
    /// Default scopes of the connector; grants may override them. Omitted when nil.
    public var scope: [String]?

    public init(provider: Provider, settings: Settings, scope: [String]? = nil) {
        self.provider = provider
        self.settings = settings
        self.scope = scope
    }

    public var description: String {
        "CreateConnectorRequest(provider: \(provider.rawValue), client_id: \(settings.clientId), "
            + "tenant: \(settings.tenant ?? "-"), scope: \(scope ?? []), client_secret: redacted)"
    }
}
