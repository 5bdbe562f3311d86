import ArgumentParser
import Foundation
import NylasAPI

/// Where the API is, for the consent commands: the consent URL points at it and the ledger is
/// bound to it. Unlike `APIOptions` it has no key options, since no call is made.
struct ConsentEndpointOptions: ParsableArguments {
    @Option(name: .customLong("api-uri"), help: "API base URI (default: $NYLAS_API_URI, else the --region's).")
    var apiURI: String?

    @Option(help: "Nylas region of the application: us or eu.")
    var region: String = "us"

    func validate() throws {
        guard APIEndpoint.region(region) != nil else {
            throw ValidationError("--region must be us or eu, not '\(region)'")
        }
    }

    /// The endpoint from --api-uri, $NYLAS_API_URI or --region, as `APIOptions` chooses it.
    func endpoint() throws -> APIEndpoint {
        if let uri = apiURI ?? ProcessInfo.processInfo.environment["NYLAS_API_URI"], !uri.isEmpty {
            return try APIEndpoint(uri)
        }
        return APIEndpoint.region(region) ?? .us
    }

    /// The flags to repeat in another command so that it means the same API host.
    var repeated: [String] {
        if let apiURI { return ["--api-uri", apiURI] }
        return region.lowercased() == "us" ? [] : ["--region", region.lowercased()]
    }
}
