import Foundation
import GrantLedger
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("Ledger.user(grantID:)")
struct LedgerGrantLookupTests {
    @Test func findsTheUserHoldingAGrantIDAndNobodyForAnUnknownOne() async throws {
        try await withCLI { cli, server, _ in
            try await writeLedger(
                cli.defaultLedger, server: server, users: [("alice@acme.example", "grant-a"), ("bob@acme.example", "grant-b")])
            let ledger = try Ledger.openReadOnly(path: cli.defaultLedger, logger: quietLogger)
            defer { try? ledger.close() }
            #expect(try await ledger.user(grantID: "grant-b")?.email == "bob@acme.example")
            #expect(try await ledger.user(grantID: "grant-b")?.state == .granted)
            #expect(try await ledger.user(grantID: "grant-z") == nil)
        }
    }
}
