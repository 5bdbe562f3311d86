import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import Testing

/// The acceptance of the `run` command: the built binary against a sandbox over loopback.
@Suite("bulkgrant run, end to end", .serialized)
struct ProvisioningRunTests {
    /// 5% 5xx, 2% dropped connections, some hangs past the client's timeout, a few injected 429s
    /// and a burst of 429s every few seconds.
    static var hostileFaults: FaultPlan {
        var faults = FaultPlan()
        faults.statusProbabilities = [500: 0.02, 502: 0.01, 503: 0.01, 504: 0.01, 429: 0.003]
        faults.drop = 0.02
        faults.hang = 0.003
        faults.hangSeconds = 6
        faults.latencyMs = 2...20
        faults.throttleBurst = .init(every: 4, duration: 0.25)
        return faults
    }

    // A timeout well above what a loaded 2-core machine takes to answer: a call that times out
    // while the server is still applying it is a real ambiguity no client can resolve, and
    // the test is about the injected faults.
    static let fastArguments = ["--rate", "300", "--request-timeout", "4", "--json"]
    static let rejected = (0..<12).map { "temp\($0)@contractors.example" }

    @Test("2,000 users through faults: each granted by exactly one creation; a rerun sends only what is left")
    func hostileRunGrantsEveryoneOnce() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeExport(dir, count: 2000, rejected: Self.rejected)
        let server = try await startSandbox(rateLimit: 400, faults: Self.hostileFaults, rejected: ["contractors.example"])
        defer { Task { await server.stop() } }
        let ledger = dir + "/ledger.sqlite"

        let first = try await runBinary(
            runArguments(input, ledger: ledger, server: server, extra: Self.fastArguments),
            environment: ["NYLAS_API_KEY": sandboxKey], in: dir)
        // The contractors fail permanently, so the run ends with 1 (some users failed).
        #expect(first.status == 1, "stderr: \(first.stderr.suffix(2000))")
        // A call held by a hang is counted when its answer leaves, possibly after the run ended.
        await server.state.settled()
        let stats = await server.state.stats()
        #expect(stats.faultsInjected.values.reduce(0, +) > 100, "the faults must really have been injected")
        // On an overloaded machine a user may use up its attempts on timeouts whose outcome is
        // unknown: it is deferred (left in_flight) for the rerun to look up. A handful at most.
        let states = try await ledgerStates(ledger)
        let granted = states.filter { $0.value == .granted }.count
        #expect(granted >= 1997, "granted \(granted) of 2,000")
        #expect(stats.creationsByEmail.count >= granted)
        #expect(stats.creationsByEmail.values.allSatisfy { $0 == 1 })
        #expect(stats.reauthsByEmail.isEmpty, "re-authenticated: \(stats.reauthsByEmail.keys.sorted().prefix(5))")
        #expect(states.count == 2012)
        #expect(Self.rejected.allSatisfy { states[$0] == .failed })

        let postsBefore = stats.count("POST", "/v3/connect/custom")
        await server.state.setFaults(FaultPlan())
        let second = try await runBinary(
            runArguments(input, ledger: ledger, server: server, extra: ["--json"]),
            environment: ["NYLAS_API_KEY": sandboxKey], in: dir)
        let after = await server.state.stats()
        // Only the 12 failed contractors, and users no grant was created for, are sent again;
        // the granted users cost nothing, and nobody is created twice.
        #expect(
            after.count("POST", "/v3/connect/custom") - postsBefore == 12 + (2000 - stats.creationsByEmail.count))
        #expect(second.stdout.contains("\"skipped\":\(granted)"))
        #expect(after.creationsByEmail.count == 2000)
        #expect(after.creationsByEmail.values.allSatisfy { $0 == 1 })
        #expect(after.reauthsByEmail.isEmpty)
        #expect(try await ledgerStates(ledger).filter { $0.value == .granted }.count == 2000)
    }

    @Test("a rerun after complete success sends no request to /v3/connect/custom")
    func rerunAfterSuccessIsFree() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeExport(dir, count: 300)
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let ledger = dir + "/ledger.sqlite"
        let arguments = runArguments(input, ledger: ledger, server: server, extra: ["--rate", "1000"])
        let first = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let before = await server.state.stats().count("POST", "/v3/connect/custom")
        #expect(before == 300)
        let second = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir)
        #expect(second.status == 0)
        #expect(await server.state.stats().count("POST", "/v3/connect/custom") == before)
        #expect(second.stdout.contains("skipped") && second.stdout.contains("300"))
    }

    @Test("killed with SIGKILL at three points and rerun: same final ledger, no user authenticated twice")
    func killedRunsResumeExactly() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeExport(dir, count: 2000, rejected: Self.rejected)

        // The reference: one uninterrupted run.
        let reference = try await startSandbox(rateLimit: 400, faults: Self.hostileFaults, rejected: ["contractors.example"])
        let referenceLedger = dir + "/reference.sqlite"
        try await runUntilSettled(
            runArguments(input, ledger: referenceLedger, server: reference, extra: Self.fastArguments),
            ledger: referenceLedger, in: dir)
        await reference.stop()

        // The same export, killed three times.
        let pid = PIDBox()
        let killPoint = KillPoint()
        let server = try await startSandbox(
            rateLimit: 400, faults: Self.hostileFaults, rejected: ["contractors.example"],
            observer: { event in if killPoint.shouldKill(event) { pid.killOnce() } })
        defer { Task { await server.stop() } }
        let ledger = dir + "/killed.sqlite"
        let arguments = runArguments(input, ledger: ledger, server: server, extra: Self.fastArguments)

        // 1: right after the 300th grant is created, before its answer leaves the server.
        killPoint.arm(.afterCreations(300))
        let run1 = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir, pid: pid)
        #expect(run1.killed)
        // 2: during the rerun's look-ups of the users the kill left in flight.
        let pid2 = PIDBox()
        killPoint.arm(.afterLookups(1))
        killPoint.retarget(pid2)
        let run2 = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir, pid: pid2)
        #expect(run2.killed)
        // 3: late in the run, after the 1,500th creation.
        let pid3 = PIDBox()
        killPoint.arm(.afterCreations(1500))
        killPoint.retarget(pid3)
        let run3 = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir, pid: pid3)
        #expect(run3.killed)
        // Then to the end.
        killPoint.arm(.never)
        let last = try await runUntilSettled(arguments, ledger: ledger, in: dir)
        #expect(last.status == 1, "stderr: \(last.stderr.suffix(2000))")

        let stats = await server.state.stats()
        #expect(stats.creationsByEmail.count == 2000)
        #expect(stats.creationsByEmail.values.allSatisfy { $0 == 1 })
        #expect(stats.reauthsByEmail.isEmpty, "re-authenticated: \(stats.reauthsByEmail.keys.sorted().prefix(5))")
        let killedStates = try await ledgerStates(ledger)
        let referenceStates = try await ledgerStates(referenceLedger)
        #expect(killedStates.count == 2012)
        let differences = Set(killedStates.keys).union(referenceStates.keys)
            .filter { killedStates[$0] != referenceStates[$0] }.sorted()
        #expect(
            differences.isEmpty,
            "\(differences.count) users differ, e.g. \(differences.prefix(5).map { "\($0): \(killedStates[$0].map(\.rawValue) ?? "missing") vs \(referenceStates[$0].map(\.rawValue) ?? "missing")" })\n\(last.stdout)")
        let check = try Ledger.openReadOnly(path: ledger, logger: quietLogger)
        #expect(try await check.integrityCheck() == "ok")
        try check.close()
    }
}

/// Runs, and reruns (as an admin would) while users are left deferred or unchecked by bad luck
/// with the injected faults: at most three reruns.
@discardableResult
func runUntilSettled(_ arguments: [String], ledger: String, in dir: String) async throws -> ProcessResult {
    var result = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir)
    for _ in 0..<3 {
        let states = try await ledgerStates(ledger)
        guard states.values.contains(where: { [.deferred, .inFlight, .pending].contains($0) }) else { break }
        result = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir)
    }
    return result
}

/// Decides, from the sandbox's events, when to kill the runner.
final class KillPoint: @unchecked Sendable {
    enum Point {
        case never
        case afterCreations(Int)
        case afterLookups(Int)
    }

    private let lock = NSLock()
    private var point = Point.never
    private var lookups = 0
    private var target: PIDBox?

    func arm(_ point: Point) {
        lock.withLock {
            self.point = point
            lookups = 0
        }
    }

    func retarget(_ box: PIDBox) { lock.withLock { target = box } }

    /// True when this event is the kill point. With a retargeted box, kills that box itself.
    /// Events that arrive before the target process has started (late answers to a killed
    /// run's hung calls) do not count.
    func shouldKill(_ event: SandboxEvent) -> Bool {
        lock.withLock {
            if let target, target.pid == 0 { return false }
            let hit: Bool
            switch (point, event) {
            case (.afterCreations(let n), .grantCreated(_, let total)):
                hit = total == n
            case (.afterLookups(let n), .answered("GET", "/v3/grants", _)):
                lookups += 1
                hit = lookups == n
            default:
                hit = false
            }
            if hit, let target {
                target.killOnce()
                return false
            }
            return hit
        }
    }
}
