import Foundation
import GrantLedger
import Testing

@Suite("input digest")
struct InputDigestTests {
    @Test("each run records the SHA-256 of the export it read, as sha256sum computes it")
    func recordsDigest() async throws {
        let dir = try temporaryDirectory(prefix: "digest")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let input = try writeExport(dir, addresses(0..<3))
        let ledger = dir + "/ledger.sqlite"
        let run = try await runBinary(runArguments(input, ledger: ledger, server: server), in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let sum = try await runProcess("/usr/bin/sha256sum", [input], in: dir)
        let expected = String(sum.stdout.prefix(64))
        let opened = try Ledger.openReadOnly(path: ledger, logger: quietLogger)
        defer { try? opened.close() }
        let recorded = try await opened.recentRuns(limit: 1).first?.inputSHA256
        #expect(expected.count == 64)
        #expect(recorded == expected)
    }
}
