import Foundation
import NylasAPI

/// Update Credential (`PATCH /v3/connectors/{provider}/creds/{id}`) and what create and update
/// share: the fields each credential type needs.
extension SandboxState {
    /// The refusal of `data` for a credential of `type` under `provider`, or nil when it will do.
    ///
    /// A Microsoft `adminconsent` credential needs only `tenant`: without `client_id` and
    /// `client_secret` Nylas uses the Azure app of the application's Microsoft connector, so
    /// the two come together or not at all.
    static func credentialDataRefusal(_ data: [String: String], type: CredentialType, provider: Provider) -> SandboxAnswer? {
        func has(_ field: String) -> Bool { !(data[field] ?? "").isEmpty }
        let required: [String]
        switch (type, provider) {
        case (.serviceAccount, .google): required = ["private_key_id", "private_key", "client_email"]
        case (.adminConsent, .microsoft):
            if has("client_id") != has("client_secret") {
                return .error(
                    400, type: "api.invalid_request_error",
                    "credential_data has \(has("client_id") ? "client_id without client_secret" : "client_secret without client_id"): give both, or neither to use the Microsoft connector's Azure app")
            }
            required = ["tenant"]
        case (.connector, _): required = ["client_id", "client_secret"]
        default:
            return .error(
                400, type: "api.invalid_request_error",
                "credential_type \(type) is not valid for provider \(provider.rawValue)")
        }
        let missing = required.filter { !has($0) }
        guard missing.isEmpty else {
            return .error(400, type: "api.invalid_request_error", "credential_data is missing \(missing.joined(separator: ", "))")
        }
        return nil
    }

    /// 200 with the credential, `updated_at` moved on; `credential_data`, when sent, replaces
    /// the stored data whole (a field left out is gone), as Nylas documents. 404 for an unknown
    /// credential; 400 for a body that is not an update, data the type cannot use, or a name
    /// another credential has.
    func updateCredential(provider name: String, id: String, body: Data) -> SandboxAnswer {
        guard let provider = Provider(rawValue: name),
            let index = credentials[provider]?.firstIndex(where: { $0.credential.id == id }),
            var stored = credentials[provider]?[index]
        else {
            return .error(404, type: "api.not_found_error", "credential \(id) not found")
        }
        guard let request = try? JSONDecoder().decode(UpdateCredentialRequest.self, from: body) else {
            return .error(
                400, type: "api.invalid_request_payload",
                "body must be {name?, credential_data?} with string values in credential_data")
        }
        if let newName = request.name {
            guard !newName.trimmingCharacters(in: .whitespaces).isEmpty else {
                return .error(400, type: "api.invalid_request_error", "name must not be empty")
            }
            if credentials[provider]?.contains(where: { $0.credential.name == newName && $0.credential.id != id }) == true {
                return .error(400, type: "api.invalid_request_error", "a credential named \(newName) already exists")
            }
            stored.credential.name = newName
        }
        if let data = request.credentialData {
            if let type = stored.credential.credentialType,
                let refusal = Self.credentialDataRefusal(data, type: type, provider: provider)
            {
                return refusal
            }
            stored.data = data
        }
        stored.credential.updatedAt = Int(Date().timeIntervalSince1970)
        credentials[provider]?[index] = stored
        return .ok(200, ItemResponse(requestId: SandboxAnswer.newRequestID(), data: stored.credential))
    }

    /// Sets a credential's timestamps (seconds since 1970), as if it had been created or last
    /// updated then: how a test ages a key. Returns false when there is no such credential.
    @discardableResult
    public func setCredentialTimes(provider: Provider, id: String, createdAt: Double? = nil, updatedAt: Double? = nil)
        -> Bool
    {
        guard let index = credentials[provider]?.firstIndex(where: { $0.credential.id == id }) else { return false }
        if let createdAt { credentials[provider]?[index].credential.createdAt = Int(createdAt) }
        if let updatedAt { credentials[provider]?[index].credential.updatedAt = Int(updatedAt) }
        return true
    }

    /// The data a credential holds, as the provider's side will see it; nil when there is no
    /// such credential. For tests: Nylas itself never returns it.
    public func credentialData(provider: Provider, id: String) -> [String: String]? {
        credentials[provider]?.first { $0.credential.id == id }?.data
    }
}
