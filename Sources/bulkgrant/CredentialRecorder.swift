import Foundation
import GrantLedger
import Logging
import NylasAPI

/// Keeps what `credentials create` learnt of a credential (the Google client id, the Azure app)
/// in the ledger, so that the night's fixes can name it. A ledger that cannot be written only
/// costs those names: it is reported, never fatal.
enum CredentialRecorder {
    static func record(_ facts: CredentialFacts, ledger path: String, identity: String) async {
        let logger = Console.bootstrapLogging(level: .error)
        do {
            let ledger = try Ledger.open(path: path, apiIdentity: identity, logger: logger)
            defer { try? ledger.close() }
            try await ledger.recordCredential(facts)
        } catch {
            Console.error(
                "warning: could not note the credential in ledger \(path) (\(error)); the run's messages will describe the client id instead of naming it")
        }
    }
}
