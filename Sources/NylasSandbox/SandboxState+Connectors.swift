import Foundation
import NylasAPI

/// `POST /v3/connectors`: Create Connector, for an application that has none for a provider.
extension SandboxState {
    /// 201 with the ConnectorObject; 400 when the body is not a connector, the provider is not
    /// one the sandbox emulates, the settings lack `client_id`/`client_secret`, or the
    /// application already has a connector for the provider. The secret is checked, never kept
    /// nor echoed.
    func createConnector(body: Data) -> SandboxAnswer {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: body), case .object = json else {
            return .error(
                400, type: "api.invalid_request_payload",
                "body must be {provider, settings: {client_id, client_secret}, scope?}")
        }
        guard let name = json["provider"]?.stringValue else {
            return .error(400, type: "api.invalid_request_error", "provider is required")
        }
        guard let provider = Provider(rawValue: name) else {
            return .error(
                400, type: "api.invalid_request_error",
                "provider \(name) is not supported here: use \(Provider.allCases.map(\.rawValue).joined(separator: " or "))")
        }
        let settings = json["settings"]
        let missing = ["client_id", "client_secret"].filter { (settings?[$0]?.stringValue ?? "").isEmpty }
        guard missing.isEmpty else {
            return .error(
                400, type: "api.invalid_request_error",
                "settings is missing \(missing.joined(separator: ", ")) for the \(provider.rawValue) connector")
        }
        guard connectors[provider] == nil else {
            return .error(
                400, type: "api.invalid_request_error",
                "a \(provider.rawValue) connector already exists for this application: update or delete it instead")
        }
        var scope: [String] = []
        if case .array(let values)? = json["scope"] {
            scope = values.compactMap(\.stringValue)
        }
        // What a GET shows: the public settings only.
        var shown: [String: JSONValue] = [:]
        for key in ["client_id", "tenant", "topic_name"] {
            if let value = settings?[key], value.stringValue != nil { shown[key] = value }
        }
        let connector = Connector(
            name: "\(provider.rawValue.capitalized) connector", provider: provider.rawValue,
            settings: .object(shown), scope: scope, activeCredentialId: nil)
        connectors[provider] = connector
        return .ok(201, ItemResponse(requestId: SandboxAnswer.newRequestID(), data: connector))
    }
}
