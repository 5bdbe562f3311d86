/// The body of `PATCH /v3/connectors/{provider}/creds/{id}` (Update Credential).
///
/// Nylas replaces the nested `credential_data` object whole with the one sent: a rotation sends
/// every field the credential needs, never only the changed one. `credentialData` holds
/// secrets, so `description` never shows it.
public struct UpdateCredentialRequest: Sendable, Codable, CustomStringConvertible {
    /// A new name; nil keeps the current one.
    public var name: String?
    /// The credential's new data, replacing the old whole; nil keeps it.
    public var credentialData: [String: String]?

    public init(name: String? = nil, credentialData: [String: String]? = nil) {
        self.name = name
        self.credentialData = credentialData
    }

    enum CodingKeys: String, CodingKey {
        case name
        case credentialData = "credential_data"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(credentialData, forKey: .credentialData)
    }

    public var description: String {
        "UpdateCredentialRequest(name: \(name ?? "unchanged"), fields: \(credentialData.map { "\($0.keys.sorted())" } ?? "unchanged"))"
    }
}
