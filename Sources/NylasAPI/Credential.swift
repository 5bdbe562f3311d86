/// A connector credential as Nylas returns it: never the secret data.
public struct Credential: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var credentialType: CredentialType?
    public var createdAt: Int?
    public var updatedAt: Int?

    public init(id: String, name: String, credentialType: CredentialType?, createdAt: Int?, updatedAt: Int?) {
        self.id = id
        self.name = name
        self.credentialType = credentialType
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case credentialType = "credential_type"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// The body of `POST /v3/connectors/{provider}/creds`.
///
/// `credentialData` holds secrets, so `description` never shows it.
public struct CreateCredentialRequest: Sendable, Codable, CustomStringConvertible {
    public var name: String
    public var credentialType: CredentialType
    public var credentialData: [String: String]

    public init(name: String, credentialType: CredentialType, credentialData: [String: String]) {
        self.name = name
        self.credentialType = credentialType
        self.credentialData = credentialData
    }

    enum CodingKeys: String, CodingKey {
        case name
        case credentialType = "credential_type"
        case credentialData = "credential_data"
    }

    public var description: String {
        "CreateCredentialRequest(name: \(name), type: \(credentialType), fields: \(credentialData.keys.sorted()))"
    }
}
