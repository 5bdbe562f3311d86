/// A Nylas grant, as returned by custom authentication and the grants endpoints.
/// Unknown fields are ignored and every field the spec leaves optional is optional here.
public struct Grant: Sendable, Codable, Hashable {
    public var id: String
    public var provider: String
    public var email: String?
    public var grantStatus: String?
    public var scope: [String]?
    public var settings: JSONValue?
    public var credentialId: String?
    public var createdAt: Int?
    public var updatedAt: Int?
    public var blocked: Bool?

    public init(
        id: String, provider: String, email: String?, grantStatus: String? = "valid",
        scope: [String]? = [], settings: JSONValue? = nil, credentialId: String? = nil,
        createdAt: Int? = nil, updatedAt: Int? = nil, blocked: Bool? = false
    ) {
        self.id = id
        self.provider = provider
        self.email = email
        self.grantStatus = grantStatus
        self.scope = scope
        self.settings = settings
        self.credentialId = credentialId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.blocked = blocked
    }

    enum CodingKeys: String, CodingKey {
        case id, provider, email, scope, settings, blocked
        case grantStatus = "grant_status"
        case credentialId = "credential_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Whether Nylas considers the grant usable (`grant_status` is `valid` or absent).
    public var isValid: Bool { grantStatus == nil || grantStatus == "valid" }
}

/// Filters of `GET /v3/grants`.
public struct GrantQuery: Sendable, Hashable {
    public var email: String?
    public var provider: Provider?
    /// `valid` or `invalid`.
    public var grantStatus: String?
    /// Unix seconds, inclusive.
    public var since: Int?
    /// Unix seconds, inclusive.
    public var before: Int?

    public init(
        email: String? = nil, provider: Provider? = nil, grantStatus: String? = nil,
        since: Int? = nil, before: Int? = nil
    ) {
        self.email = email
        self.provider = provider
        self.grantStatus = grantStatus
        self.since = since
        self.before = before
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let email { items.append(("email", email)) }
        if let provider { items.append(("provider", provider.rawValue)) }
        if let grantStatus { items.append(("grant_status", grantStatus)) }
        if let since { items.append(("since", String(since))) }
        if let before { items.append(("before", String(before))) }
        return items
    }
}
