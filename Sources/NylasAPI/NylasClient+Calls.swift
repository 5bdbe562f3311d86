import NIOHTTP1

/// The typed calls. Each names its path template for errors and logs.
extension NylasClient {
    // MARK: Connectors

    /// `GET /v3/connectors`, one page.
    public func listConnectors(limit: Int = 50, offset: Int = 0) async throws -> ListResponse<Connector> {
        try await send(
            .GET, path: "/v3/connectors", template: "/v3/connectors",
            query: [("limit", String(limit)), ("offset", String(offset))], as: ListResponse<Connector>.self)
    }

    /// Every connector, paging as needed.
    public func connectors(pageSize: Int = 50) -> OffsetPager<Connector> {
        OffsetPager(pageSize: pageSize) { offset, limit in
            try await self.listConnectors(limit: limit, offset: offset).data
        }
    }

    // MARK: Credentials

    /// `POST /v3/connectors/{provider}/creds`.
    public func createCredential(provider: Provider, _ request: CreateCredentialRequest) async throws -> Credential {
        try await send(
            .POST, path: "/v3/connectors/\(provider.rawValue)/creds", template: "/v3/connectors/{provider}/creds",
            body: request, as: ItemResponse<Credential>.self
        ).data
    }

    /// `GET /v3/connectors/{provider}/creds`, one page.
    public func listCredentials(provider: Provider, limit: Int = 50, offset: Int = 0) async throws
        -> ListResponse<Credential>
    {
        try await send(
            .GET, path: "/v3/connectors/\(provider.rawValue)/creds", template: "/v3/connectors/{provider}/creds",
            query: [("limit", String(limit)), ("offset", String(offset))], as: ListResponse<Credential>.self)
    }

    /// Every credential of a provider, paging as needed.
    public func credentials(provider: Provider, pageSize: Int = 50) -> OffsetPager<Credential> {
        OffsetPager(pageSize: pageSize) { offset, limit in
            try await self.listCredentials(provider: provider, limit: limit, offset: offset).data
        }
    }

    /// `GET /v3/connectors/{provider}/creds/{id}`.
    public func getCredential(provider: Provider, id: String) async throws -> Credential {
        try await send(
            .GET, path: "/v3/connectors/\(provider.rawValue)/creds/\(Self.percentEncode(id))",
            template: "/v3/connectors/{provider}/creds/{id}", as: ItemResponse<Credential>.self
        ).data
    }

    /// `DELETE /v3/connectors/{provider}/creds/{id}`.
    @discardableResult
    public func deleteCredential(provider: Provider, id: String) async throws -> DeleteResponse {
        try await send(
            .DELETE, path: "/v3/connectors/\(provider.rawValue)/creds/\(Self.percentEncode(id))",
            template: "/v3/connectors/{provider}/creds/{id}", as: DeleteResponse.self)
    }

    // MARK: Custom authentication

    /// `POST /v3/connect/custom`: creates the grant, or re-authenticates the user's existing one.
    public func customAuthentication(_ request: CustomAuthRequest) async throws -> ItemResponse<Grant> {
        try await send(
            .POST, path: "/v3/connect/custom", template: "/v3/connect/custom", body: request,
            as: ItemResponse<Grant>.self)
    }

    // MARK: Grants

    /// `GET /v3/grants`, one page. `limit` is capped at 200, Nylas's maximum.
    public func listGrants(_ query: GrantQuery = GrantQuery(), limit: Int = 200, offset: Int = 0) async throws
        -> ListResponse<Grant>
    {
        try await send(
            .GET, path: "/v3/grants", template: "/v3/grants",
            query: query.queryItems + [("limit", String(min(max(limit, 1), 200))), ("offset", String(offset))],
            as: ListResponse<Grant>.self)
    }

    /// Every grant matching `query`, 200 per call.
    public func grants(_ query: GrantQuery = GrantQuery(), pageSize: Int = 200) -> OffsetPager<Grant> {
        OffsetPager(pageSize: min(pageSize, 200)) { offset, limit in
            try await self.listGrants(query, limit: limit, offset: offset).data
        }
    }

    /// `GET /v3/grants/{grantId}`.
    public func getGrant(id: String) async throws -> Grant {
        try await send(
            .GET, path: "/v3/grants/\(Self.percentEncode(id))", template: "/v3/grants/{grantId}",
            as: ItemResponse<Grant>.self
        ).data
    }

    /// `DELETE /v3/grants/{grantId}`.
    @discardableResult
    public func deleteGrant(id: String) async throws -> DeleteResponse {
        try await send(
            .DELETE, path: "/v3/grants/\(Self.percentEncode(id))", template: "/v3/grants/{grantId}",
            as: DeleteResponse.self)
    }
}
