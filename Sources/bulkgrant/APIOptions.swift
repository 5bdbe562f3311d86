import ArgumentParser
import Foundation
import Logging
import NylasAPI

/// Where the API is and how to authenticate: shared by every command that calls Nylas.
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("api-uri"), help: "API base URI (default: $NYLAS_API_URI, else the --region's).")
    var apiURI: String?

    @Option(help: "Nylas region: us or eu. A key used in the wrong region answers 401.")
    var region: String = "us"

    @Option(
        name: .customLong("api-key-file"),
        help: "File holding the API key (default: $NYLAS_API_KEY). The key is never printed or stored.")
    var apiKeyFile: String?

    @Option(name: .customLong("request-timeout"), help: "Seconds to wait for one API answer.")
    var requestTimeout: Double = 30

    func validate() throws {
        guard APIEndpoint.region(region) != nil else {
            throw ValidationError("--region must be us or eu, not '\(region)'")
        }
        guard requestTimeout > 0 else { throw ValidationError("--request-timeout must be more than 0 seconds") }
    }

    /// The endpoint from --api-uri, $NYLAS_API_URI or --region.
    func endpoint() throws -> APIEndpoint {
        if let uri = apiURI ?? ProcessInfo.processInfo.environment["NYLAS_API_URI"], !uri.isEmpty {
            return try APIEndpoint(uri)
        }
        return APIEndpoint.region(region) ?? .us
    }

    func clientConfiguration(maxConnections: Int) throws -> NylasClientConfiguration {
        var configuration = NylasClientConfiguration(
            endpoint: try endpoint(), apiKey: try APIKey.load(file: apiKeyFile))
        configuration.requestTimeout = requestTimeout
        configuration.maxConnections = maxConnections
        return configuration
    }
}

extension Provider: ExpressibleByArgument {}
