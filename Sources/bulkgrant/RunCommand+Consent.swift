import ArgumentParser
import Foundation
import GrantLedger
import Logging
import Onboarding

/// Microsoft's five minutes: grants are not created until 5 minutes after the admin consent
/// that `bulkgrant consent listen` recorded for the run's credential (Microsoft caches scopes).
extension RunCommand {
    /// Waits, with a countdown, when the consent for `credential` is under 5 minutes old; with
    /// --no-wait refuses instead. Google runs pass straight through.
    /// - Returns: the exit code that ends the run here (refused, or stopped by a signal while
    ///   waiting, in both cases before anything was sent), or nil to go on.
    func holdForConsent(ledger: Ledger, credential: String, logs: LogOutput) async -> ExitCode? {
        guard provider == .microsoft else { return nil }
        let clock = SystemConsentClock()
        let consent: ConsentRecord?
        do {
            consent = try await ledger.consent(credentialID: credential)
        } catch {
            logs.error("\(error)")
            return Exit.stopped
        }
        guard let wait = ConsentGate.check(consent: consent, now: clock.now()) else {
            logs.logger.info(
                consent == nil
                    ? "no admin consent recorded for credential \(credential) in this ledger (it may have been given outside bulkgrant): not waiting"
                    : "admin consent for credential \(credential) is over 5 minutes old: not waiting")
            return nil
        }
        if noWait {
            logs.error(wait.refusal)
            return Exit.stopped
        }
        // Signals are watched before anything says the run is waiting, so that one sent on
        // seeing that line stops the run rather than killing it.
        let watch = ConsentSignalWatch()
        watch.install()
        let live = Console.stderrIsTerminal && !noProgress && !logs.isJSON
        if logs.isJSON {
            logs.logger.warning(
                "\(wait.notice)",
                metadata: [
                    "consent.credential_id": "\(credential)", "consent.wait_s": "\(Int(wait.remaining.rounded(.up)))",
                    "consent.until": "\(ConsentWait.timestamp(wait.readyAt, roundingUp: true))",
                ])
        } else if !live {
            Console.stderr("bulkgrant: " + wait.notice + "\n")
        }
        let until = ConsentWait.timestamp(wait.readyAt, roundingUp: true)
        let waiting = Task {
            await ConsentGate.wait(wait, clock: clock, onTick: { left in
                guard live else { return }
                Console.stderr(
                    "\r\u{1B}[Kwaiting for Microsoft to apply the admin consent of credential \(credential): \(ConsentWait.duration(left)) left (until \(until); Ctrl-C stops, nothing sent)")
            })
        }
        watch.cancelOnSignal(waiting)
        let outcome = await waiting.value
        watch.remove()
        if live { Console.stderr("\r\u{1B}[K") }
        guard outcome == .ready else {
            logs.error(
                "\(watch.received ?? "a signal") received while waiting for the admin consent to apply: stopped, nothing sent")
            return Exit.stopped
        }
        return nil
    }

    /// `--dry-run`: says whether a real run would wait (or, with --no-wait, refuse), and waits not.
    func reportConsentWait(ledger: Ledger?, credential: String, logs: LogOutput) async {
        guard provider == .microsoft, let ledger else { return }
        guard let consent = try? await ledger.consent(credentialID: credential),
            let wait = ConsentGate.check(consent: consent, now: SystemConsentClock().now())
        else { return }
        let text =
            noWait
            ? wait.refusal + " (a real run with --no-wait would exit 3; --dry-run does not wait)"
            : wait.notice + " (a real run would wait; --dry-run does not)"
        if logs.isJSON {
            logs.logger.warning("\(text)")
        } else {
            Console.stderr("bulkgrant: " + text + "\n")
        }
    }
}
