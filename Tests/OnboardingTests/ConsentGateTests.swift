import Foundation
import GrantLedger
import SandboxTestSupport
import Testing

@testable import Onboarding

/// A clock that jumps: `sleep` moves `now` forward at once and remembers how long it was asked.
final class JumpingClock: ConsentClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double
    private var slept: [Double] = []

    init(_ start: Double) { current = start }

    func now() -> Double { lock.withLock { current } }
    var sleeps: [Double] { lock.withLock { slept } }

    func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        lock.withLock {
            slept.append(seconds)
            current += seconds
        }
    }
}

@Suite("Consent gate: Microsoft's five minutes")
struct ConsentGateTests {
    let consentedAt = 1_738_281_600.0

    @Test("a consent one minute old waits exactly until consent + 300 s, ticking the countdown")
    func waitsUntilFiveMinutesAfterConsent() async throws {
        let clock = JumpingClock(consentedAt + 60)
        let wait = try #require(
            ConsentGate.check(consent: ConsentRecord(credentialID: "c", consentedAt: consentedAt), now: clock.now()))
        #expect(wait.remaining == 240)
        #expect(wait.readyAt == consentedAt + 300)
        let ticks = TickLog()
        let outcome = await ConsentGate.wait(wait, clock: clock, tick: 1, onTick: { ticks.add($0) })
        #expect(outcome == .ready)
        #expect(clock.now() == consentedAt + 300)
        #expect(clock.sleeps.reduce(0, +) == 240)
        #expect(clock.sleeps.allSatisfy { $0 <= 1 })
        #expect(ticks.values.first == 240)
        #expect(ticks.values.last == 1)
    }

    @Test("a partial last step lands on the second, not past it")
    func partialStep() async throws {
        let clock = JumpingClock(consentedAt + 0.25)
        let wait = try #require(
            ConsentGate.check(consent: ConsentRecord(credentialID: "c", consentedAt: consentedAt), now: clock.now()))
        #expect(await ConsentGate.wait(wait, clock: clock, tick: 60) == .ready)
        #expect(clock.now() == consentedAt + 300)
        #expect(clock.sleeps == [60, 60, 60, 60, 59.75])
    }

    @Test("no wait when there is no consent, or when it is five minutes old or more")
    func noWait() {
        #expect(ConsentGate.check(consent: nil, now: consentedAt) == nil)
        let record = ConsentRecord(credentialID: "c", consentedAt: consentedAt)
        #expect(ConsentGate.check(consent: record, now: consentedAt + 300) == nil)
        #expect(ConsentGate.check(consent: record, now: consentedAt + 86_400) == nil)
        #expect(ConsentGate.check(consent: record, now: consentedAt + 299)?.remaining == 1)
    }

    @Test("a consent recorded 'in the future' (clock set back) waits five minutes, not more")
    func clockSetBack() {
        let wait = ConsentGate.check(consent: ConsentRecord(credentialID: "c", consentedAt: consentedAt + 3600), now: consentedAt)
        #expect(wait?.remaining == 300)
        #expect(wait?.elapsed == 0)
    }

    @Test("the --no-wait refusal says how long ago and how long is left")
    func refusalText() throws {
        let wait = try #require(
            ConsentGate.check(consent: ConsentRecord(credentialID: "C", consentedAt: consentedAt), now: consentedAt + 80))
        #expect(
            wait.refusal
                == "admin consent for credential C was recorded 1m20s ago; Microsoft needs 5 minutes to apply it: wait 3m40s or rerun without --no-wait")
        #expect(wait.notice.contains("waiting 3m40s, until 2025-01-31T00:05:00Z"))
    }

    @Test("the stop hook ends the wait early: nothing may be sent")
    func stopHook() async throws {
        let clock = JumpingClock(consentedAt + 10)
        let wait = try #require(
            ConsentGate.check(consent: ConsentRecord(credentialID: "c", consentedAt: consentedAt), now: clock.now()))
        let outcome = await ConsentGate.wait(wait, clock: clock, shouldStop: { clock.now() >= 1_738_281_620 })
        #expect(outcome == .stopped)
        #expect(clock.now() == consentedAt + 20)
    }

    @Test("cancelling the waiting task ends it with .stopped")
    func cancellation() async throws {
        let wait = ConsentWait(credentialID: "c", consentedAt: Date().timeIntervalSince1970, checkedAt: Date().timeIntervalSince1970)
        let task = Task { await ConsentGate.wait(wait, clock: SystemConsentClock(), tick: 600) }
        task.cancel()
        #expect(await task.value == .stopped)
    }

    @Test("check(ledger:) reads the consent recorded in a real ledger, per credential")
    func checkReadsTheLedger() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try Ledger.open(path: directory + "/l.sqlite", apiIdentity: "loopback-sandbox", logger: quietLogger)
        defer { try? ledger.close() }
        try await ledger.recordConsent(ConsentRecord(credentialID: "ms", consentedAt: consentedAt, tenant: "t"))
        let wait = try await ConsentGate.check(ledger: ledger, credentialID: "ms", now: consentedAt + 100)
        #expect(wait == ConsentWait(credentialID: "ms", consentedAt: consentedAt, checkedAt: consentedAt + 100))
        #expect(try await ConsentGate.check(ledger: ledger, credentialID: "other", now: consentedAt + 100) == nil)
    }
}

/// The countdown values a wait reported.
final class TickLog: @unchecked Sendable {
    private let lock = NSLock()
    private var log: [Double] = []
    func add(_ value: Double) { lock.withLock { log.append(value) } }
    var values: [Double] { lock.withLock { log } }
}
