import ArgumentParser
import Foundation
import GrantLedger
import Logging
import Onboarding

/// `bulkgrant consent listen`: receives the admin-consent redirect on loopback and records it.
struct ConsentListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Receive the admin-consent redirect on 127.0.0.1 and record the consent in the ledger.",
        discussion: """
            Serves http://127.0.0.1:PORT/callback (--path to change it) until the redirect with \
            the right state arrives, then shows the admin a page saying it worked, prints a line \
            and exits. With admin_consent=true the consent and its time are recorded for \
            --credential-id, and Microsoft runs for that credential wait until 5 minutes after it.

            A request whose state does not match (a stray tab, an old URL, a forged link) gets a \
            400 page and records nothing, and the listener keeps waiting, so it cannot stop the \
            admin's real redirect from arriving. Other paths (favicon.ico…) get 404. Without \
            --credential-id the page is still shown but nothing can be recorded.

            Exit codes: 0 consent received · 1 the redirect carried an OAuth error (shown on the \
            page and printed) · 2 bad flag, or the port cannot be bound · 3 no redirect before \
            --timeout, stopped by SIGINT/SIGTERM, the ledger held by a run (its pid is named), or \
            the consent could not be recorded.

            Examples:
              bulkgrant consent listen --port 8400 --state STATE --credential-id CRED
              bulkgrant consent listen --port 8400 --state STATE --credential-id CRED \\
                --ledger /var/lib/bulkgrant/bulkgrant.sqlite --region eu --timeout 1800
            """)

    @Option(help: "The port of the redirect URI (0: any free port, printed at start).")
    var port: Int

    // Unconditional: a state of one's own may start with '-', which would otherwise read as a flag.
    @Option(parsing: .unconditional, help: "The state printed by 'bulkgrant consent url'.")
    var state: String

    @Option(name: .customLong("credential-id"), help: "The credential to record the consent for.")
    var credentialID: String?

    @Option(help: "The path of the redirect URI.")
    var path: String = "/callback"

    @Option(help: "The SQLite ledger to record into (default ./bulkgrant.sqlite).")
    var ledger: String?

    @Option(help: "Seconds to wait for the redirect before giving up (exit 3).")
    var timeout: Double = 900

    @OptionGroup(title: "API (the ledger is bound to the API host)")
    var endpoint: ConsentEndpointOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        do {
            try ConsentState.validate(state, optional: false)
        } catch let error as ConsentError {
            throw ValidationError(error.message)
        }
        guard path.hasPrefix("/"), !path.contains("?"), !path.contains("#") else {
            throw ValidationError("--path must be the redirect URI's path, starting with '/', e.g. /callback")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
        if let credentialID, credentialID.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--credential-id must not be empty")
        }
    }

    private enum Event: Sendable {
        case outcome(ConsentOutcome)
        case timeout
        case signal(String)
    }

    func run() async throws {
        let logger = Console.bootstrapLogging(level: .warning)
        let credential = credentialID?.trimmingCharacters(in: .whitespaces)
        let opened = try openLedger(credential: credential, logger: logger)
        defer { try? opened?.close() }

        let listener: ConsentListener
        do {
            listener = try await ConsentListener.start(
                .init(port: port, state: state, path: path, credentialID: credential), ledger: opened, logger: logger)
        } catch {
            Console.error("\(error)")
            throw Exit.input
        }
        // Signals are watched before the line that says the listener is ready.
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let watch = ConsentSignalWatch { _ = continuation.yield(.signal($0)) }
        watch.install()
        let deadline = Date().addingTimeInterval(timeout).timeIntervalSince1970
        Console.stderr(
            "bulkgrant: listening on \(listener.url) for the admin-consent redirect"
                + (credential.map { " of credential \($0)" } ?? "")
                + " (until \(ConsentWait.timestamp(deadline, roundingUp: true)); Ctrl-C stops)\n")
        let waiters = [
            Task { _ = continuation.yield(.outcome(await listener.outcome())) },
            Task { [timeout] in
                try? await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                if !Task.isCancelled { _ = continuation.yield(.timeout) }
            },
        ]
        var iterator = events.makeAsyncIterator()
        let event = await iterator.next() ?? .timeout
        for waiter in waiters { waiter.cancel() }
        await listener.stop()
        watch.remove()
        try finish(event, credential: credential)
    }

    /// The ledger to record into, opened (and locked) now, so that a held ledger is refused
    /// before the admin approves rather than after; nil without --credential-id.
    private func openLedger(credential: String?, logger: Logger) throws -> Ledger? {
        guard credential != nil else {
            Console.stderr(
                "bulkgrant: warning: no --credential-id: the admin's consent will be shown but not recorded, so 'bulkgrant run --provider microsoft' cannot wait the 5 minutes Microsoft needs; pass --credential-id CRED to record it\n")
            if ledger != nil { Console.stderr("bulkgrant: warning: --ledger is not used without --credential-id\n") }
            return nil
        }
        let identity: String
        do {
            identity = try endpoint.endpoint().identity
        } catch {
            Console.error("\(error)")
            throw Exit.input
        }
        do {
            return try Ledger.open(path: ledger ?? "bulkgrant.sqlite", apiIdentity: identity, logger: logger)
        } catch let error as LedgerError {
            Console.error("\(error)")
            throw error.code == .locked ? Exit.stopped : Exit.input
        } catch {
            Console.error("\(error)")
            throw Exit.input
        }
    }

    private func finish(_ event: Event, credential: String?) throws {
        switch event {
        case .outcome(.consented(let at, let tenant, let recorded)):
            let ready = ConsentWait.timestamp(at + ConsentWait.applyDelay, roundingUp: true)
            let tenantText = tenant.map { " (tenant \(Self.printable($0)))" } ?? ""
            if recorded, let credential {
                Console.out(
                    "admin consent for credential \(credential)\(tenantText) recorded at \(ConsentWait.timestamp(at)); Microsoft runs for it wait until \(ready)\n")
            } else {
                Console.out(
                    "admin consent received\(tenantText) at \(ConsentWait.timestamp(at)), not recorded (no --credential-id); wait until \(ready) before the first Microsoft run\n")
            }
        case .outcome(.refused(let error, let description)):
            Console.out(
                "admin consent refused: \(Self.printable(error))\(description.map { ": " + Self.printable($0) } ?? ""); nothing recorded\n")
            throw Exit.incomplete
        case .outcome(.recordFailed(let at, let reason)):
            Console.error(
                "admin consent was given at \(ConsentWait.timestamp(at)) but could not be recorded: \(reason); wait until \(ConsentWait.timestamp(at + ConsentWait.applyDelay, roundingUp: true)) before the first Microsoft run")
            throw Exit.stopped
        case .timeout:
            Console.error(
                "no admin-consent redirect arrived within \(ConsentWait.duration(timeout)): nothing recorded. Run 'bulkgrant consent listen' again with the same --state and open the URL again")
            throw Exit.stopped
        case .signal(let name):
            Console.error("\(name) received: stopped before the redirect arrived; nothing recorded")
            throw Exit.stopped
        }
    }

    /// A value from the redirect, safe for a terminal: control characters (escape sequences
    /// included) become spaces, and it is cut at 500 characters.
    static func printable(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : Character($0) })
        return cleaned.count > 500 ? String(cleaned.prefix(500)) + "…" : cleaned
    }
}
