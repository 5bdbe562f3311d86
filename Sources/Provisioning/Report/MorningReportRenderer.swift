import Foundation
import GrantLedger

/// Turns a ``MorningReport`` into one self-contained HTML page: inline CSS and SVG, no script,
/// no external request, so that it opens offline, from disk or as a mail attachment, and on a
/// phone. Every address, name and message goes through ``HTML``'s escaping.
public struct MorningReportRenderer: Sendable {
    public let report: MorningReport

    public init(report: MorningReport) {
        self.report = report
    }

    /// The page, section ids: `last-run`, `organisations`, `runs`, `failures`, `repeat-failures`,
    /// `departed`, `throughput`.
    public func render() -> String {
        let page: HTML = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <title>\(title)</title>
            <style>\(HTML(stringLiteral: ReportStyle.css))</style>
            </head>
            <body>
            <main>
            <header>
            <h1>\(title)</h1>
            <p class="meta">\(meta)</p>
            </header>
            \(lastRunSection())
            \(organisationSection())
            \(runsSection())
            \(failureSection())
            \(repeatSection())
            \(departedSection())
            \(throughputSection())
            <footer>Made by bulkgrant from the ledger, read-only. It holds counts and the first \
            \(report.configuration.listLimit) entries of each list; <code>bulkgrant report --state failed</code> \
            lists every failed user.</footer>
            </main>
            </body>
            </html>

            """
        return page.markup
    }

    var title: String {
        var title = "bulkgrant morning report"
        if let organisation = report.configuration.organisation { title += " · \(organisation)" }
        if let provider = report.configuration.provider { title += " · \(provider)" }
        return title
    }

    private var meta: HTML {
        var parts: [HTML] = ["Ledger <span class=\"addr\">\(report.ledger)</span>"]
        if let host = report.apiHost { parts.append("API \(host)") }
        parts.append("made \(ReportText.time(report.generatedAt))")
        return parts.joined(separator: " · ")
    }

    // MARK: Shared pieces

    static func section(_ id: String, _ heading: String, _ body: HTML) -> HTML {
        "<section id=\"\(id)\">\n<h2>\(heading)</h2>\n\(body)\n</section>"
    }

    /// A numeric cell; zeros greyed, the key in `data-k` for whoever reads the page by machine.
    static func cell(_ key: String, _ value: Int) -> HTML {
        "<td class=\"n\(value == 0 ? " zero" : "")\" data-k=\"\(key)\">\(ReportText.count(value))</td>"
    }

    static func outcomeBadge(_ outcome: RunOutcome) -> HTML {
        "<span class=\"badge tone-\(outcome.tone.rawValue)\"><span class=\"symbol\" aria-hidden=\"true\">\(outcome.symbol)</span><span class=\"word\">\(outcome.word)</span></span>"
    }

    static func organisationName(_ name: String?) -> HTML {
        guard let name, !name.isEmpty else { return "<span class=\"note\">single runs</span>" }
        return "\(name)"
    }

    static func runLabel(_ run: RunSummary) -> HTML {
        var label: HTML = "#\(run.id)"
        if let organisation = run.organisation, !organisation.isEmpty { label += " \(organisation)" }
        if let provider = run.provider { label += " <span class=\"note\">\(provider)</span>" }
        return label
    }

    static func table(_ caption: String?, head: [(String, Bool)], rows: [HTML]) -> HTML {
        let header = head.map { name, numeric -> HTML in
            numeric ? "<th scope=\"col\" class=\"n\">\(name)</th>" : "<th scope=\"col\">\(name)</th>"
        }
        let captionMarkup: HTML = caption.map { "<caption>\($0)</caption>" } ?? ""
        return """
            <div class="scroll"><table>\(captionMarkup)<thead><tr>\(header)</tr></thead>
            <tbody>
            \(rows.map { $0 + "\n" })</tbody></table></div>
            """
    }
}
