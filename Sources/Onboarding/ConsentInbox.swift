import GrantLedger
import Logging

/// The listener's state: checks each redirect, records the first consent, answers the page,
/// and hands the outcome to whoever waits for it. An actor, so that two redirects arriving at
/// once cannot record twice.
actor ConsentInbox {
    struct Page: Sendable {
        var status: Int
        var html: String
    }

    private let state: String
    private let credentialID: String?
    private let ledger: Ledger?
    private let clock: any ConsentClock
    private let logger: Logger
    private var claimed = false
    private var finished: ConsentOutcome?
    private var waiters: [CheckedContinuation<ConsentOutcome, Never>] = []

    init(state: String, credentialID: String?, ledger: Ledger?, clock: any ConsentClock, logger: Logger) {
        self.state = state
        self.credentialID = credentialID
        self.ledger = ledger
        self.clock = clock
        self.logger = logger
    }

    /// Suspends until the final redirect (consent or OAuth error) has been handled.
    func outcome() async -> ConsentOutcome {
        if let finished { return finished }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Answers one request to the redirect path. The query is never logged: a redirect could
    /// carry codes that are nobody's business in a log file.
    func handle(query: String?) async -> Page {
        if claimed {
            return Page(
                status: 409,
                html: ConsentPage.render(
                    title: "Already received",
                    message: "This listener has already received the admin-consent redirect and is closing. Nothing more was recorded.",
                    ok: false))
        }
        switch ConsentRedirect.classify(query: query, expectedState: state) {
        case .stateMismatch:
            logger.warning("refused a redirect whose state does not match: nothing recorded; still listening")
            return Page(
                status: 400,
                html: ConsentPage.render(
                    title: "The state does not match",
                    message: "This request does not carry the state this listener was started with, so nothing was recorded. Open the consent URL printed together with the listener's --state (bulkgrant consent url), or restart bulkgrant consent listen with the --state of the URL you opened. The listener keeps waiting.",
                    ok: false))
        case .incomplete:
            logger.warning("refused a redirect with neither admin_consent=true nor an error: nothing recorded; still listening")
            return Page(
                status: 400,
                html: ConsentPage.render(
                    title: "Nothing to record",
                    message: "The redirect carries neither admin_consent=true nor an OAuth error, so nothing was recorded. The listener keeps waiting.",
                    ok: false))
        case .refused(let error, let description):
            claimed = true
            finish(.refused(error: error, description: description))
            var details = [("error", error)]
            if let description { details.append(("error_description", description)) }
            return Page(
                status: 200,
                html: ConsentPage.render(
                    title: "Admin consent was not given",
                    message: "Microsoft or Nylas answered the consent request with an OAuth error, so nothing was recorded. Fix the cause below, then build a new URL with bulkgrant consent url.",
                    details: details, ok: false))
        case .consented(let tenant):
            claimed = true
            return await consented(tenant: tenant)
        }
    }

    private func consented(tenant: String?) async -> Page {
        let at = clock.now()
        let readyAt = ConsentWait.timestamp(at + ConsentWait.applyDelay, roundingUp: true)
        guard let credentialID, let ledger else {
            finish(.consented(at: at, tenant: tenant, recorded: false))
            return Page(
                status: 200,
                html: ConsentPage.render(
                    title: "Admin consent received",
                    message: "Microsoft admin consent was granted. The listener was started without --credential-id, so it was not recorded: wait until \(readyAt) (5 minutes) before the first Microsoft run.",
                    details: tenant.map { [("tenant", $0)] } ?? [], ok: true))
        }
        do {
            try await ledger.recordConsent(ConsentRecord(credentialID: credentialID, consentedAt: at, tenant: tenant))
        } catch {
            finish(.recordFailed(at: at, reason: "\(error)"))
            return Page(
                status: 500,
                html: ConsentPage.render(
                    title: "Consent given, but not recorded",
                    message: "Microsoft admin consent was granted, but bulkgrant could not record it in its ledger: \(error). Wait until \(readyAt) (5 minutes) before the first Microsoft run.",
                    ok: false))
        }
        finish(.consented(at: at, tenant: tenant, recorded: true))
        var details = [("credential", credentialID)]
        if let tenant { details.append(("tenant", tenant)) }
        details.append(("grants can be created from", readyAt))
        return Page(
            status: 200,
            html: ConsentPage.render(
                title: "Admin consent received",
                message: "Microsoft admin consent was granted and recorded. Microsoft needs 5 minutes to apply it; bulkgrant runs for this credential wait until then.",
                details: details, ok: true))
    }

    private func finish(_ outcome: ConsentOutcome) {
        guard finished == nil else { return }
        finished = outcome
        for waiter in waiters { waiter.resume(returning: outcome) }
        waiters = []
    }
}
