import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import Testing

/// Runs that must stop: a held ledger, a key revoked mid-run, a signal.
@Suite("bulkgrant run stops cleanly", .serialized)
struct StopTests {
    @Test("a second run on a held ledger exits 3 and names the holder's pid")
    func heldLedgerRefused() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeExport(dir, count: 5)
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let ledgerPath = dir + "/ledger.sqlite"
        // This test process holds the ledger, as a long run would.
        let holder = try Ledger.open(path: ledgerPath, apiIdentity: "loopback-sandbox", logger: quietLogger)
        let result = try await runBinary(
            runArguments(input, ledger: ledgerPath, server: server), environment: ["NYLAS_API_KEY": sandboxKey], in: dir)
        try holder.close()
        #expect(result.status == 3)
        #expect(result.stderr.contains("pid \(getpid())"), "stderr: \(result.stderr)")
        #expect(await server.state.stats().calls.isEmpty, "nothing may be sent when the ledger is held")
    }

    @Test("a 401 mid-run stops the run with exit 3, the unfinished users pending, nothing more sent")
    func revokedKeyStopsRun() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeExport(dir, count: 1000)
        let stateBox = StateBox()
        let server = try await startSandbox(observer: { event in
            if case .grantCreated(_, 100) = event { stateBox.rotateKey() }
        })
        stateBox.state = server.state
        defer { Task { await server.stop() } }
        let ledgerPath = dir + "/ledger.sqlite"
        let result = try await runBinary(
            runArguments(input, ledger: ledgerPath, server: server, extra: ["--rate", "200", "--concurrency", "16"]),
            environment: ["NYLAS_API_KEY": sandboxKey], in: dir)
        #expect(result.status == 3, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(result.stdout.contains("401"), "the summary must name the reason: \(result.stdout)")
        let stats = await server.state.stats()
        // Only the calls already in flight (at most the concurrency) may meet the 401.
        let unauthorized = stats.calls.filter { $0.status == 401 }.reduce(0) { $0 + $1.count }
        #expect(unauthorized >= 1 && unauthorized <= 16 + 1)
        let states = try await ledgerStates(ledgerPath)
        let granted = states.values.filter { $0 == .granted }.count
        let pending = states.values.filter { $0 == .pending }.count
        #expect(granted == stats.creationsByEmail.count)
        #expect(granted + pending == 1000, "no user may be failed or left in flight by a 401")
        #expect(pending >= 800)
    }

    @Test("SIGTERM lets calls in flight finish, records them, and exits 3; a rerun completes")
    func sigtermStopsGracefully() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeExport(dir, count: 600)
        let pid = PIDBox()
        var faults = FaultPlan()
        faults.latencyMs = 50...50
        let server = try await startSandbox(faults: faults, observer: { event in
            if case .grantCreated(_, 150) = event, pid.pid > 0 { kill(pid.pid, SIGTERM) }
        })
        defer { Task { await server.stop() } }
        let ledgerPath = dir + "/ledger.sqlite"
        let arguments = runArguments(input, ledger: ledgerPath, server: server, extra: ["--rate", "400"])
        let first = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir, pid: pid)
        #expect(first.status == 3, "stderr: \(first.stderr)")
        #expect(first.stderr.contains("SIGTERM"))
        let states = try await ledgerStates(ledgerPath)
        #expect(!states.values.contains(.inFlight), "calls in flight must finish and be recorded")
        #expect(states.values.filter { $0 == .granted }.count == (await server.state.stats().creationsByEmail.count))
        let second = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir)
        #expect(second.status == 0)
        let stats = await server.state.stats()
        #expect(stats.creationsByEmail.count == 600 && stats.reauthsByEmail.isEmpty)
    }
}

/// Lets a synchronous observer reach the sandbox's actor.
final class StateBox: @unchecked Sendable {
    var state: SandboxState?
    func rotateKey() {
        guard let state else { return }
        Task { await state.setAPIKey("rotated-key") }
    }
}
