import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built binary's `consent listen`, and a Microsoft run waiting for consent, driven while
/// they run: their standard error is read as it is written, and requests or signals are sent
/// once they say they are ready.
@Suite("bulkgrant consent listen (binary) and the run's consent wait")
struct ConsentListenProcessTests {
    let state = "e2e-state-0123456789"

    @Test("listen on port 0 prints the port, 404s the favicon, 400s a wrong state, records the consent, exits 0")
    func listenRecordsConsent() async throws {
        let directory = try temporaryDirectory(prefix: "consent-listen")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledgerPath = directory + "/consent.sqlite"
        let before = Date().timeIntervalSince1970
        let process = try LiveProcess(
            ["consent", "listen", "--port", "0", "--state", state, "--credential-id", "cred-ms", "--ledger", ledgerPath],
            in: directory)
        let port = try #require(await process.listeningPort(), "\(process.transcript)")
        #expect(try await fetch(port, "/favicon.ico").status == 404)
        let forged = try await fetch(port, "/callback?admin_consent=true&state=forged-0123456789")
        #expect(forged.status == 400)
        #expect(forged.body.contains("The state does not match"))
        let page = try await fetch(port, "/callback?admin_consent=true&state=\(state)")
        #expect(page.status == 200)
        #expect(page.body.contains("Admin consent received"))
        let status = await process.finish()
        let after = Date().timeIntervalSince1970
        #expect(status == 0, "\(process.transcript)")
        #expect(process.stdout.contains("admin consent for credential cred-ms recorded at "), "\(process.transcript)")
        #expect(process.stdout.contains("Microsoft runs for it wait until "))
        #expect(!process.stderr.contains("forged-0123456789"), "query strings are not logged")
        let ledger = try Ledger.openReadOnly(path: ledgerPath, logger: quietLogger)
        defer { try? ledger.close() }
        let consent = try #require(try await ledger.consent(credentialID: "cred-ms"))
        #expect(consent.consentedAt >= before && consent.consentedAt <= after)
    }

    @Test("an error redirect shows the error, records nothing, prints it and exits 1")
    func listenErrorRedirect() async throws {
        let directory = try temporaryDirectory(prefix: "consent-listen")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledgerPath = directory + "/consent.sqlite"
        let process = try LiveProcess(
            ["consent", "listen", "--port", "0", "--state", state, "--credential-id", "cred-ms", "--ledger", ledgerPath],
            in: directory)
        let port = try #require(await process.listeningPort(), "\(process.transcript)")
        let page = try await fetch(
            port, "/callback?error=access_denied&error_description=The+admin+said+%3Cno%3E&state=\(state)")
        #expect(page.body.contains("The admin said &lt;no&gt;"))
        #expect(await process.finish() == 1, "\(process.transcript)")
        #expect(process.stdout.contains("admin consent refused: access_denied: The admin said <no>; nothing recorded"))
        let ledger = try Ledger.openReadOnly(path: ledgerPath, logger: quietLogger)
        defer { try? ledger.close() }
        #expect(try await ledger.consent(credentialID: "cred-ms") == nil)
    }

    @Test("without --credential-id it says at start that nothing will be recorded, and still shows the page")
    func listenWithoutCredential() async throws {
        let directory = try temporaryDirectory(prefix: "consent-listen")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try LiveProcess(["consent", "listen", "--port", "0", "--state", state], in: directory)
        let port = try #require(await process.listeningPort(), "\(process.transcript)")
        #expect(process.stderr.contains("no --credential-id: the admin's consent will be shown but not recorded"))
        #expect(try await fetch(port, "/callback?admin_consent=true&state=\(state)").status == 200)
        #expect(await process.finish() == 0)
        #expect(process.stdout.contains("not recorded (no --credential-id)"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/bulkgrant.sqlite"), "no ledger is created")
    }

    @Test("a Microsoft run waiting for consent to apply stops on SIGTERM with exit 3, having sent nothing")
    func runWaitInterrupted() async throws {
        try await withCLI { cli, server, _ in
            try await recordConsent(cli, server, credential: Seed.microsoft, secondsAgo: 60)
            try "alice@acme.example\n".write(toFile: cli.directory + "/users.txt", atomically: true, encoding: .utf8)
            let process = try LiveProcess(
                ["run", "users.txt", "--provider", "microsoft", "--credential-id", Seed.microsoft, "--api-uri", server.baseURI],
                environment: ["NYLAS_API_KEY": cli.key], in: cli.directory)
            let waiting = await process.waitFor { $0.contains("Microsoft needs 5 minutes to apply it: waiting ") }
            #expect(waiting, "\(process.transcript)")
            #expect(process.stderr.contains(/waiting (3m5\ds|4m00s), until \d{4}-\d\d-\d\dT/), "\(process.stderr)")
            process.signal(SIGTERM)
            #expect(await process.finish() == 3, "\(process.transcript)")
            #expect(process.stderr.contains("SIGTERM received while waiting for the admin consent to apply: stopped, nothing sent"))
            #expect(await server.state.stats().calls.isEmpty)
        }
    }

    private func fetch(_ port: Int, _ pathAndQuery: String) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(pathAndQuery)")!)
        request.timeoutInterval = 10
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }
}

/// Records a consent `secondsAgo` in the default ledger of `cli`, bound to its sandbox.
func recordConsent(_ cli: CLI, _ server: SandboxServer, credential: String, secondsAgo: Double) async throws {
    let ledger = try Ledger.open(
        path: cli.defaultLedger, apiIdentity: try APIEndpoint(server.baseURI).identity, logger: quietLogger)
    try await ledger.recordConsent(
        ConsentRecord(credentialID: credential, consentedAt: Date().timeIntervalSince1970 - secondsAgo))
    try ledger.close()
}

/// The built binary, running, with its output readable while it runs (pipes drained as they
/// fill, so it never blocks on a full pipe).
final class LiveProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var outData = Data()
    private var errData = Data()
    private var openPipes = 2
    /// Something happened (output, exit, a deadline) since the last `nextEvent`.
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var expired = false

    init(_ arguments: [String], environment: [String: String] = [:], in directory: String) throws {
        process.executableURL = URL(fileURLWithPath: binaryPath())
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NYLAS_") }
        env["SWIFT_BACKTRACE"] = "enable=no"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        for (pipe, isOut) in [(out, true), (err, false)] {
            pipe.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                lock.withLock {
                    if data.isEmpty {
                        handle.readabilityHandler = nil
                        openPipes -= 1
                    } else if isOut {
                        outData.append(data)
                    } else {
                        errData.append(data)
                    }
                }
                event()
            }
        }
        process.terminationHandler = { [self] _ in event() }
        try process.run()
    }

    var stdout: String { lock.withLock { String(decoding: outData, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: errData, as: UTF8.self) } }
    var transcript: String { "--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
    private var ended: Bool { lock.withLock { openPipes == 0 } && !process.isRunning }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    private func event(expiring: Bool = false) {
        let resume = lock.withLock {
            if expiring { expired = true }
            let waiting = waiter
            waiter = nil
            if waiting == nil { pending = true }
            return waiting
        }
        resume?.resume()
    }

    private func nextEvent() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = lock.withLock {
                if pending {
                    pending = false
                    return true
                }
                waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Waits until standard error (or, with `onStdout`, standard output) satisfies `condition`;
    /// false if the process ends or 30 s pass first.
    func waitFor(onStdout: Bool = false, _ condition: (String) -> Bool) async -> Bool {
        lock.withLock { expired = false }
        let deadline = Task { [self] in
            try? await Task.sleep(for: .seconds(30))
            if !Task.isCancelled { event(expiring: true) }
        }
        defer { deadline.cancel() }
        while true {
            if condition(onStdout ? stdout : stderr) { return true }
            if ended || lock.withLock({ expired }) { return false }
            await nextEvent()
        }
    }

    /// The port from the listener's "listening on http://127.0.0.1:PORT/..." line.
    func listeningPort() async -> Int? {
        guard await waitFor({ $0.contains("listening on http://127.0.0.1:") }) else { return nil }
        guard let match = stderr.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)\//) else { return nil }
        return Int(match.1)
    }

    /// Waits for the process to end and its output to be read; its exit status. A process
    /// still running after 60 s is killed (status -9), so a listener that does not end fails
    /// the test instead of hanging it.
    func finish() async -> Int32 {
        let deadline = Task { [process] in
            try? await Task.sleep(for: .seconds(60))
            if !Task.isCancelled && process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        defer { deadline.cancel() }
        while !ended { await nextEvent() }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
    }
}
