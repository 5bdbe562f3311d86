/// Settings of a `NylasClient`, with defaults fit for a nightly run.
public struct NylasClientConfiguration: Sendable {
    /// The API host (a region or a sandbox).
    public var endpoint: APIEndpoint
    public var apiKey: APIKey
    /// Seconds to wait for an answer before the call fails with `.timeout`.
    public var requestTimeout: Double = 30
    /// Seconds to wait for a TCP connection.
    public var connectTimeout: Double = 10
    /// HTTP/1.1 connections kept to the host. Must be at least the engine's concurrency, or
    /// requests queue inside the client (AsyncHTTPClient's default is 8).
    public var maxConnections: Int = 64
    public var userAgent: String = "bulkgrant/\(BulkgrantVersion.current)"

    public init(endpoint: APIEndpoint, apiKey: APIKey) {
        self.endpoint = endpoint
        self.apiKey = apiKey
    }
}
