import ArgumentParser
import Foundation
import NylasAPI

/// Where the API is, for the consent commands: the consent URL points at it and the ledger is
/// bound to it. Unlike `APIOptions` it has no key options, since no call is made.
struct ConsentEndpointOptions: ParsableArguments {
    @Option(
        name: .customLong("api-uri"),
        help: "API base URI (default: the --region's, else $NYLAS_API_URI, else the us region's).")
    var apiURI: String?

    @Option(help: "Nylas region of the application: us or eu (default us). Wins over $NYLAS_API_URI.")
    var region: String?

    func validate() throws {
        if let region, APIEndpoint.region(region) == nil {
            throw ValidationError("--region must be us or eu, not '\(region)'")
        }
        if apiURI != nil && region != nil {
            throw ValidationError("--api-uri and --region both name the API: give one")
        }
    }

    /// The endpoint, by the rule every command follows (`APIOptions.endpoint`).
    func endpoint() throws -> APIEndpoint { try APIOptions.endpoint(apiURI: apiURI, region: region) }

    /// The flags to repeat in another command so that it means the same API host.
    var repeated: [String] {
        if let apiURI { return ["--api-uri", apiURI] }
        guard let region = region?.lowercased(), region != "us" else { return [] }
        return ["--region", region]
    }
}
