/// The connector calls beyond listing: read one, and create one for an application that has none.
extension NylasClient {
    /// `GET /v3/connectors/{provider}`: 404 `api.not_found_error` when the application has no
    /// connector for that provider.
    public func getConnector(provider: Provider) async throws -> ItemResponse<Connector> {
        try await send(
            .GET, path: "/v3/connectors/\(provider.rawValue)", template: "/v3/connectors/{provider}",
            as: ItemResponse<Connector>.self)
    }

    /// `POST /v3/connectors`: 201 with the connector; 400 when one exists for the provider or the
    /// settings lack `client_id`/`client_secret`.
    public func createConnector(_ request: CreateConnectorRequest) async throws -> ItemResponse<Connector> {
        try await send(
            .POST, path: "/v3/connectors", template: "/v3/connectors", body: request,
            as: ItemResponse<Connector>.self)
    }
}
