import GrantLedger

/// The report's sections, in reading order.
extension MorningReportRenderer {
    func lastRunSection() -> HTML {
        let runs = report.lastRuns
        guard !runs.isEmpty else {
            return Self.section(
                "last-run", "Last run",
                "<p class=\"outcome tone-neutral\" data-outcome=\"none\"><span class=\"word\">No run recorded yet</span> in this ledger.</p>")
        }
        let outcomes = runs.map(RunOutcome.init)
        let worst = outcomes.max { $0.severity < $1.severity } ?? RunOutcome(key: "unknown")
        var what: HTML = runs.count == 1 ? "run \(Self.runLabel(runs[0]))" : "job of \(runs.count) organisations"
        what += ", started \(ReportText.time(runs.map(\.startedAt).min() ?? 0))"
        let finished = runs.compactMap(\.finishedAt)
        if finished.count == runs.count, let end = finished.max(), let start = runs.map(\.startedAt).min() {
            what += ", took \(ReportText.duration(end - start))"
        }
        var body: HTML = """
            <p class="outcome tone-\(worst.tone.rawValue)" data-outcome="\(worst.key)">\
            <span class="symbol" aria-hidden="true">\(worst.symbol)</span><span class="word">\(worst.word)</span> · \
            \(what): \(Self.tallyWords(runs.map(RunTally.init)))\(Self.hint(worst))</p>
            """
        if runs.count > 1 {
            let items = zip(runs, outcomes).map { run, outcome -> HTML in
                "<li data-run=\"\(run.id)\">\(Self.outcomeBadge(outcome)) · \(Self.runLabel(run)): \(Self.tallyWords([RunTally(run)]))</li>"
            }
            body += "\n<ul>\(items.joined(separator: "\n"))</ul>"
        }
        return Self.section("last-run", "Last run", body)
    }

    func organisationSection() -> HTML {
        guard !report.organisations.isEmpty else {
            return Self.section("organisations", "Organisations", "<p class=\"empty\">No user recorded yet.</p>")
        }
        let rows = report.organisations.map { row -> HTML in
            let c = row.users.counts
            let parts: [(key: String, label: String, count: Int)] = [
                ("granted", "granted", c[.granted, default: 0]), ("failed", "failed", c[.failed, default: 0]),
                ("deferred", "deferred", c[.deferred, default: 0]),
                ("not_attempted", "pending", c[.pending, default: 0] + c[.inFlight, default: 0]),
                ("revoked", "revoked", c[.revoked, default: 0] + c[.revoking, default: 0]),
            ]
            let last: HTML =
                row.lastRun.map { run in "\(Self.outcomeBadge(RunOutcome(run))) #\(run.id), \(ReportText.time(run.startedAt))" }
                ?? "<span class=\"note\">not in the last \(report.configuration.runs) runs</span>"
            return """
                <tr data-org="\(row.users.organisation)" data-provider="\(row.users.provider)">\
                <th scope="row">\(Self.organisationName(row.users.organisation))</th><td>\(row.users.provider)</td>\
                \(Self.cell("users", row.users.total))\(parts.map { Self.cell($0.key == "not_attempted" ? "pending" : $0.key, $0.count) })\
                <td>\(StackedBarChart.mini(parts))</td><td>\(last)</td></tr>
                """
        }
        let table = Self.table(
            "Users in the ledger now, by state. Pending includes users whose call was cut off; revoked includes revocations under way.",
            head: [
                ("Organisation", false), ("Provider", false), ("Users", true), ("Granted", true), ("Failed", true),
                ("Deferred", true), ("Pending", true), ("Revoked", true), ("", false), ("Last run", false),
            ], rows: rows)
        return Self.section("organisations", "Organisations", table)
    }

    func runsSection() -> HTML {
        guard !report.runs.isEmpty else {
            return Self.section("runs", "Users by state, last runs", "<p class=\"empty\">No run recorded yet.</p>")
        }
        let legend = RunTally.Part.allCases.map { part -> HTML in
            "<li><span class=\"swatch b-\(part.rawValue)\" aria-hidden=\"true\"></span><strong>\(part.label)</strong>: \(part.meaning)</li>"
        }
        let rows = report.runs.map { run -> HTML in
            let tally = RunTally(run)
            let cells: HTML =
                tally.recorded
                ? RunTally.Part.allCases.map { Self.cell($0.rawValue, tally[$0]) }.joined()
                : "<td colspan=\"\(RunTally.Part.allCases.count)\" class=\"note\">no counts recorded (killed, or still running)</td>"
            return """
                <tr data-run="\(run.id)"><th scope="row">\(Self.runLabel(run))</th><td class="t">\(ReportText.time(run.startedAt))</td>\
                <td>\(Self.outcomeBadge(RunOutcome(run)))</td>\(cells)</tr>
                """
        }
        let head = [("Run", false), ("Started", false), ("Outcome", false)] + RunTally.Part.allCases.map { ($0.label, true) }
        let body: HTML = """
            <ul class="legend">\(legend.joined())</ul>
            <div class="scroll">\(StackedBarChart(runs: report.runs).svg())</div>
            \(Self.table("The export's users after each run, oldest first.", head: head, rows: rows))
            """
        return Self.section("runs", "Users by state, last \(ReportText.plural(report.runs.count, "run"))", body)
    }

    func failureSection() -> HTML {
        guard !report.causes.isEmpty else {
            return Self.section(
                "failures", "Failure causes",
                "<p class=\"callout tone-good\" data-failing=\"0\"><span class=\"symbol\" aria-hidden=\"true\">✓</span><span class=\"word\">No user is failing.</span></p>")
        }
        let shown = report.causes.reduce(0) { $0 + $1.count }
        var intro: HTML = """
            <p data-failing="\(report.failingUsers)">\(ReportText.plural(report.failingUsers, "user")) failed, \
            deferred or left mid-revocation, by cause. The next run retries them.
            """
        if shown < report.failingUsers {
            intro += " The \(report.causes.count) most common causes are shown (\(ReportText.count(shown)) users)."
        }
        intro += "</p>"
        let cards = report.causes.map { cause -> HTML in
            """
            <article class="card" data-cause="\(cause.id)"><h3><span data-k="users">\(ReportText.count(cause.count))</span> \
            \(cause.count == 1 ? "user" : "users") · \(cause.recognised ? cause.id : cause.title)</h3>\
            \(cause.recognised ? "<p>\(Self.sentence(cause.title)).</p>" as HTML : "")\
            <p class="msg">“\(cause.message)”</p><p>e.g. <span class="addr">\(cause.example)</span></p>\
            <p><strong>Fix:</strong> \(Self.sentence(cause.fix))</p></article>
            """
        }
        return Self.section("failures", "Failure causes", intro + "\n<div class=\"cards\">\(cards.joined(separator: "\n"))</div>")
    }

    func repeatSection() -> HTML {
        let minimum = report.configuration.minimumRuns
        let heading = "Users failing in \(minimum) or more runs"
        guard !report.repeatFailures.isEmpty else {
            return Self.section("repeat-failures", heading, "<p class=\"empty\">None.</p>")
        }
        let rows = report.repeatFailures.map { user -> HTML in
            let error = [user.lastErrorType, user.lastErrorMessage].compactMap { $0 }.joined(separator: ": ")
            return """
                <tr data-email="\(user.email)"><td class="addr">\(user.email)</td><td>\(user.provider)</td>\
                <td>\(user.state.rawValue)</td>\(Self.cell("runs", user.runs))<td class="msg">\(error)</td></tr>
                """
        }
        let caption =
            rows.count == report.configuration.listLimit
            ? "The first \(rows.count), most runs first." : "Most runs first."
        return Self.section(
            "repeat-failures", heading,
            Self.table(
                caption, head: [("Address", false), ("Provider", false), ("Now", false), ("Runs failed", true), ("Last error", false)],
                rows: rows))
    }

    func departedSection() -> HTML {
        var body: HTML = ""
        for kept in report.keptDepartures {
            let (word, tone): (String, String) =
                switch kept.kind {
                case .refused: ("Refused by the safeguard", "bad")
                case .reported: ("Departed, not revoked", "neutral")
                case .unfinished: ("Revocation unfinished", "warning")
                }
            body += """
                <div class="callout tone-\(tone)" data-kept="\(kept.kind.rawValue)" data-run="\(kept.run.id)">\
                <span class="word">\(word)</span> · run \(Self.runLabel(kept.run)): \
                <span data-k="kept">\(ReportText.count(kept.count))</span> departed \
                \(kept.count == 1 ? "user keeps a grant" : "users keep their grants"). <span class="msg">\(Self.sentence(kept.reason))</span></div>

                """
        }
        guard !report.departed.isEmpty else {
            body += "<p class=\"empty\">No grant has been revoked.</p>"
            return Self.section("departed", "Departed users", body)
        }
        let rows = report.departed.map { user -> HTML in
            """
            <tr data-email="\(user.email)"><td class="addr">\(user.email)</td>\
            <td>\(Self.organisationName(user.organisation))</td><td>\(user.provider)</td><td>\(user.state.rawValue)</td>\
            <td class="t">\(ReportText.time(user.updatedAt))</td><td class="msg">\(Self.departureReason(user))</td></tr>
            """
        }
        let caption =
            "\(ReportText.plural(report.departedTotal, "user")) revoked or being revoked"
            + (rows.count < report.departedTotal ? "; the \(rows.count) most recent:" : ", most recent first:")
        body += Self.table(
            caption,
            head: [
                ("Address", false), ("Organisation", false), ("Provider", false), ("State", false), ("When", false),
                ("Reason", false),
            ], rows: rows)
        return Self.section("departed", "Departed users", body)
    }

    func throughputSection() -> HTML {
        guard !report.runs.isEmpty else {
            return Self.section("throughput", "Throughput and 429s", "<p class=\"empty\">No run recorded yet.</p>")
        }
        let rows = report.runs.map { run -> HTML in
            let calls = run.counts["api_calls"] ?? 0
            let throttled = run.counts["rate_limited"] ?? 0
            return """
                <tr data-run="\(run.id)"><th scope="row">\(Self.runLabel(run))</th><td class="t">\(ReportText.time(run.startedAt))</td>\
                <td class="n">\(ReportText.duration(run.duration))</td>\(Self.cell("api_calls", calls))\
                <td class="n" data-k="rate">\(ReportText.rate(calls, per: run.duration))</td>\(Self.cell("rate_limited", throttled))</tr>
                """
        }
        let throttledRuns = report.runs.filter { ($0.counts["rate_limited"] ?? 0) > 0 }.count
        let note: HTML =
            throttledRuns == 0
            ? "<p>No run met a 429 (rate limit) answer.</p>"
            : "<p>\(ReportText.plural(throttledRuns, "run")) met 429 (rate limit) answers; each was retried after the pause Nylas asked for. If it happens every night, lower <code>--rate</code>.</p>"
        return Self.section(
            "throughput", "Throughput and 429s",
            note
                + Self.table(
                    "API calls per second over the whole run, oldest first.",
                    head: [
                        ("Run", false), ("Started", false), ("Duration", true), ("API calls", true), ("Calls/s", true),
                        ("429 answers", true),
                    ], rows: rows))
    }

    // MARK: Words

    /// `295 granted · 4 failed · 2 departed, kept`.
    static func tallyWords(_ tallies: [RunTally]) -> HTML {
        let parts = RunTally.Part.allCases.compactMap { part -> HTML? in
            let value = tallies.reduce(0) { $0 + $1[part] }
            guard value > 0 || part == .granted || part == .failed else { return nil }
            return "<span data-k=\"\(part.rawValue)\">\(ReportText.count(value))</span> \(part.label)"
        }
        return parts.joined(separator: " · ")
    }

    /// The text with a capital first letter.
    static func sentence(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    static func hint(_ outcome: RunOutcome) -> HTML {
        switch outcome.key {
        case "incomplete": return ". The next run retries the failed and deferred users."
        case "stopped": return ". Users not reached stay pending: rerun to resume."
        case "refused": return ". Nothing was granted or revoked: see Departed users."
        case "unfinished": return ". If no run is going, the next run resumes it."
        default: return ""
        }
    }

    static func departureReason(_ user: DepartedUser) -> String {
        if user.state == .revoking {
            let error = [user.lastStatus.map { "HTTP \($0)" }, user.lastErrorType, user.lastErrorMessage]
                .compactMap { $0 }.joined(separator: " ")
            return "revocation unfinished" + (error.isEmpty ? "" : " (\(error))") + "; the next run retries it"
        }
        guard let run = user.runID else { return "grant deleted by hand (bulkgrant grants delete)" }
        let absent = "absent from run #\(run)'s export (or filtered out)"
        if user.call == DepartedUser.lookupCall { return absent + "; no grant was found to delete" }
        return absent + (user.callStatus == 404 ? "; the grant was already gone" : "; grant deleted")
    }
}
