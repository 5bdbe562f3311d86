import GrantLedger
import Logging

/// Creates an empty ledger bound to the loopback sandbox, as a first run would.
enum GrantLedgerBootstrap {
    static func create(_ path: String) throws {
        try Ledger.open(path: path, apiIdentity: "loopback-sandbox", logger: Bench.logger).close()
    }
}
