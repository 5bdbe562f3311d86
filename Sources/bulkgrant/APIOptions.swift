import ArgumentParser
import Foundation
import Logging
import NylasAPI

/// Where the API is, how to authenticate and how to get there (proxy, trust): shared by every
/// command that calls Nylas, and the one place where a client configuration is put together.
struct APIOptions: ParsableArguments {
    @Option(
        name: .customLong("api-uri"),
        help: "API base URI (default: the --region's, else $NYLAS_API_URI, else the us region's).")
    var apiURI: String?

    @Option(help: "Nylas region: us or eu (default us). Wins over $NYLAS_API_URI. A key used in the wrong region answers 401.")
    var region: String?

    @Option(
        name: .customLong("api-key-file"),
        help: "File holding the API key (default: $NYLAS_API_KEY). The key is never printed or stored.")
    var apiKeyFile: String?

    @Option(name: .customLong("request-timeout"), help: "Seconds to wait for one API answer.")
    var requestTimeout: Double = 30

    @Option(
        name: .customLong("proxy"),
        help: ArgumentHelp(
            "HTTP proxy for every call, http://[USER:PASSWORD@]HOST:PORT, or none (default: $HTTPS_PROXY, else $ALL_PROXY).",
            discussion: """
                HTTPS goes through it in a CONNECT tunnel. Wins over the environment (and a job \
                file's proxy); $NO_PROXY still exempts the hosts it names. A proxy from the \
                environment is never used for a loopback host; one given here is. The password is \
                never printed; prefer $HTTPS_PROXY or a job file to keep it out of `ps`.
                """,
            valueName: "url"))
    var proxy: String?

    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp(
            "PEM file of a CA to trust besides the system's: a TLS-inspecting proxy's or a private gateway's (default: $SSL_CERT_FILE).",
            valueName: "pem"))
    var caFile: String?

    func validate() throws {
        if let region, APIEndpoint.region(region) == nil {
            throw ValidationError("--region must be us or eu, not '\(region)'")
        }
        if apiURI != nil && region != nil {
            throw ValidationError("--api-uri and --region both name the API: give one")
        }
        guard requestTimeout > 0 else { throw ValidationError("--request-timeout must be more than 0 seconds") }
    }

    /// The endpoint from --api-uri, else --region, else $NYLAS_API_URI, else the us region: a
    /// flag given on the command line wins over the environment.
    func endpoint() throws -> APIEndpoint { try Self.endpoint(apiURI: apiURI, region: region) }

    /// The one rule every command follows: --api-uri, else --region, else $NYLAS_API_URI, else
    /// the us region.
    static func endpoint(
        apiURI: String?, region: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> APIEndpoint {
        if let apiURI, !apiURI.isEmpty { return try APIEndpoint(apiURI) }
        if let region { return APIEndpoint.region(region) ?? .us }
        if let uri = environment["NYLAS_API_URI"], !uri.isEmpty { return try APIEndpoint(uri) }
        return .us
    }

    /// The proxy for `endpoint` (--proxy, else a job file's, else the environment's, unless
    /// NO_PROXY exempts it) and the trust (--ca-file, else $SSL_CERT_FILE, added to the system's
    /// roots). Throws `NylasError` for an unusable proxy URL or CA file.
    func network(
        for endpoint: APIEndpoint, jobProxy: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (proxy: ProxyChoice, tls: NylasClientConfiguration.TLS) {
        let explicit = proxy.map { (url: $0, source: "--proxy") } ?? jobProxy.map { (url: $0, source: "the job file's proxy") }
        let choice = try ProxyChoice.resolve(for: endpoint, explicit: explicit, environment: environment)
        var tls = NylasClientConfiguration.TLS()
        if let caFile {
            tls = try .trusting(caFile: caFile, source: "--ca-file")
        } else if let file = environment["SSL_CERT_FILE"], !file.isEmpty {
            tls = try .trusting(caFile: file, source: "SSL_CERT_FILE")
        }
        return (choice, tls)
    }

    /// The client settings: the key from --api-key-file or $NYLAS_API_KEY, the endpoint, proxy
    /// and trust as above.
    func clientConfiguration(maxConnections: Int, jobProxy: String? = nil) throws -> NylasClientConfiguration {
        try clientConfiguration(
            endpoint: try endpoint(), apiKey: try loadKey(), maxConnections: maxConnections,
            jobProxy: jobProxy)
    }

    /// The key from --api-key-file or $NYLAS_API_KEY; a key file others can read is reported.
    func loadKey() throws -> APIKey {
        let key = try APIKey.load(file: apiKeyFile)
        if let apiKeyFile, let warning = APIKey.fileWarning(apiKeyFile) { Console.error("warning: \(warning)") }
        return key
    }

    /// The client settings for a given endpoint and key (an in-process sandbox's).
    func clientConfiguration(endpoint: APIEndpoint, apiKey: APIKey, maxConnections: Int, jobProxy: String? = nil) throws
        -> NylasClientConfiguration
    {
        let (choice, tls) = try network(for: endpoint, jobProxy: jobProxy)
        var configuration = NylasClientConfiguration(endpoint: endpoint, apiKey: apiKey)
        configuration.requestTimeout = requestTimeout
        configuration.maxConnections = maxConnections
        configuration.proxy = choice.proxy
        configuration.tls = tls
        return configuration
    }
}

extension NylasClientConfiguration {
    /// What a run records of how it reached the API (never a secret): the proxy, redacted, and
    /// the CA file.
    var recordedNetwork: [String: String] {
        ["proxy": proxy?.description ?? "none", "ca_file": tls.caFile ?? ""]
    }
}

extension Provider: ExpressibleByArgument {}
