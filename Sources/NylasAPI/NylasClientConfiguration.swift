/// Settings of a `NylasClient`, with defaults fit for a nightly run.
///
/// Nested like AsyncHTTPClient's own configuration: `proxy` (an HTTP proxy reached with
/// `CONNECT`) and `tls` (whom to trust). The client never reads the environment: whoever builds
/// the configuration decides (the CLI reads `HTTPS_PROXY`, `NO_PROXY` and `SSL_CERT_FILE`
/// through `ProxyChoice` and `TLS.trusting(caFile:)`).
public struct NylasClientConfiguration: Sendable {
    /// The API host (a region or a sandbox).
    public var endpoint: APIEndpoint
    public var apiKey: APIKey
    /// Seconds to wait for an answer before the call fails with `.timeout`.
    public var requestTimeout: Double = 30
    /// Seconds to wait for a TCP connection (to the proxy, when there is one).
    public var connectTimeout: Double = 10
    /// HTTP/1.1 connections kept to the host. Must be at least the engine's concurrency, or
    /// requests queue inside the client (AsyncHTTPClient's default is 8).
    public var maxConnections: Int = 64
    public var userAgent: String = "bulkgrant/\(BulkgrantVersion.current)"
    /// The HTTP proxy every call goes through, in a `CONNECT` tunnel; nil connects directly.
    public var proxy: Proxy?
    /// Whom to trust: the system's roots, plus any certificates of a CA file.
    public var tls = TLS()

    public init(endpoint: APIEndpoint, apiKey: APIKey) {
        self.endpoint = endpoint
        self.apiKey = apiKey
    }

    /// Text that must never be printed: the API key and the proxy's credentials.
    public var secrets: [String] {
        [apiKey.secret] + (proxy?.secrets ?? [])
    }
}
