/// The connector calls beyond listing: read one, create one for an application that has none,
/// and update a credential in place.
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

    /// `PATCH /v3/connectors/{provider}/creds/{id}`: replaces the credential's `credential_data`
    /// whole (and its name, when given) and answers 200 with the credential, its `updated_at`
    /// moved on. Grants keep the credential id, so none has to be made again. Idempotent: sending
    /// the same body twice leaves the same credential.
    public func updateCredential(provider: Provider, id: String, _ request: UpdateCredentialRequest) async throws
        -> Credential
    {
        try await send(
            .PATCH, path: "/v3/connectors/\(provider.rawValue)/creds/\(Self.percentEncode(id))",
            template: "/v3/connectors/{provider}/creds/{id}", body: request, as: ItemResponse<Credential>.self
        ).data
    }
}
