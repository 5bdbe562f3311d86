import ArgumentParser
import Foundation
import NylasAPI

/// The options `credentials rotate google` and `credentials rotate microsoft` share: which
/// credential, how the new key is proven, and where the ledger and the API are.
struct RotationOptions: ParsableArguments {
    @Option(name: .customLong("credential-id"), help: "The credential to put the new key or secret in (see bulkgrant credentials list).")
    var credentialID: String

    @Option(
        help: """
            Prove the new key with this user instead of one the ledger knows as granted with the \
            credential (a user without a grant gets one).
            """)
    var canary: String?

    @Option(
        name: .customLong("scope"),
        help: "Google: the scopes to prove with (repeat); default: the proving user's grant's own scopes.")
    var scopes: [String] = []

    @Flag(
        name: .customLong("allow-other-account"),
        help: "Accept a key of another service account (or another Azure app) than the one the ledger recorded.")
    var allowOtherAccount = false

    @Option(help: "The ledger the nightly run uses: the credential's recorded key and granted users (default ./bulkgrant.sqlite).")
    var ledger: String = "bulkgrant.sqlite"

    @Flag(help: "Print {\"credential\", \"key_id\", \"previous_key\", \"proof\", \"rollback\"} as JSON.")
    var json = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func validate() throws {
        guard !credentialID.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--credential-id must not be empty")
        }
        if let canary, !canary.contains("@") {
            throw ValidationError("--canary takes a user's address, such as it@example.com, not '\(canary)'")
        }
        guard !ledger.isEmpty else { throw ValidationError("--ledger must not be empty") }
    }

    /// The words that repeat these options in a printed command (the rollback).
    var repeated: [String] {
        var words = ["--credential-id", credentialID]
        if let canary { words += ["--canary", canary] }
        for scope in scopes { words += ["--scope", scope] }
        if allowOtherAccount { words.append("--allow-other-account") }
        words += ["--ledger", Paths.absolute(ledger)]
        if let apiURI = api.apiURI {
            words += ["--api-uri", apiURI]
        } else if let region = api.region {
            words += ["--region", region.lowercased()]
        }
        if let file = api.apiKeyFile { words += ["--api-key-file", Paths.absolute(file)] }
        return words
    }
}

/// File paths as printed commands and the ledger keep them.
enum Paths {
    /// `path` from the current directory, so that a command printed with it works anywhere.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
