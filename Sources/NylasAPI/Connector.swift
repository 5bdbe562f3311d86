/// A connector (integration) of the Nylas application.
public struct Connector: Sendable, Codable, Hashable {
    public var name: String?
    public var provider: String
    public var settings: JSONValue?
    public var scope: [String]?
    public var activeCredentialId: String?

    public init(
        name: String?, provider: String, settings: JSONValue? = nil, scope: [String]? = nil,
        activeCredentialId: String? = nil
    ) {
        self.name = name
        self.provider = provider
        self.settings = settings
        self.scope = scope
        self.activeCredentialId = activeCredentialId
    }

    enum CodingKeys: String, CodingKey {
        case name, provider, settings, scope
        case activeCredentialId = "active_credential_id"
    }
}
