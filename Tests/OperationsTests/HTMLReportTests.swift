import Foundation
import GrantLedger
import NylasSandbox
import Testing

/// `bulkgrant report --format html`, `run --html-report` and a job's `report_html`: the page is
/// rendered in headless Chromium and read back, against a ledger made by the binary over five
/// nights against the sandbox.
@Suite("html report", .serialized)
struct HTMLReportTests {
    static let victim = "victim@acme.example"
    static let formula = "=cmd|'/c+calc'!a0@contractors.example"
    static let ampersand = "+a&b@contractors.example"
    static let leavers = ["leaver0@acme.example", "leaver1@acme.example", "leaver2@acme.example"]
    /// What the API answers the victim each night: markup, quotes and a formula.
    static let hostileMessage =
        #"<script>document.title='pwned'</script><img src=x onerror="document.title='pwned'"> "quoted" =HYPERLINK("http://127.0.0.1:9/")"#

    /// The victim's answer: HTTP 422 with the hostile message in Nylas's error envelope.
    static func hostileAnswer() throws -> ScriptedFault {
        let body = try JSONSerialization.data(withJSONObject: [
            "request_id": "req-hostile", "error": ["type": "api.invalid_request_error", "message": hostileMessage],
        ])
        return .raw(status: 422, contentType: "application/json", body: String(decoding: body, as: UTF8.self))
    }

    /// Five nights, one call at a time so that each scripted answer reaches the same user:
    /// 1. 18 users: 15 granted; the victim gets a 429 then the hostile 422; two contractors
    ///    (a formula prefix, an ampersand) are refused by the provider. 2. The same.
    /// 3. The three leavers are gone: revoked (`--html-report night3.html`). 4. Four more
    ///    are gone and the export shrank: the safeguard refuses (exit 3). 5. A job of two new
    ///    organisations, `report_html = "job-report.html"`: north all granted, south one failed.
    static func fiveNights(_ dir: String, _ server: SandboxServer) async throws -> String {
        let ledger = dir + "/ledger.sqlite"
        let everyone = [victim, formula, ampersand] + addresses(0..<12)
        let first = try writeExport(dir, everyone + leavers, name: "night1.csv")
        // One call at a time, and the users failing night after night tried every night.
        let single = ["--concurrency", "1", "--retry-resting"]
        let custom = "/v3/connect/custom"

        await server.state.script([.status(429, retryAfter: .seconds(0)), try hostileAnswer()], for: custom)
        var result = try await runBinary(runArguments(first, ledger: ledger, server: server, single), in: dir)
        #expect(result.status == 1, "night 1: \(result.transcript)")
        await server.state.script([try hostileAnswer()], for: custom)
        result = try await runBinary(runArguments(first, ledger: ledger, server: server, single), in: dir)
        #expect(result.status == 1, "night 2: \(result.transcript)")

        let third = try writeExport(dir, everyone, name: "night3.csv")
        await server.state.script([try hostileAnswer()], for: custom)
        result = try await runBinary(
            runArguments(
                third, ledger: ledger, server: server,
                single + ["--revoke-departed", "--max-revoke", "3", "--html-report", dir + "/night3.html"]),
            in: dir)
        #expect(result.status == 1, "night 3: \(result.transcript)")

        let fourth = try writeExport(dir, [victim, formula, ampersand] + addresses(0..<8), name: "night4.csv")
        result = try await runBinary(
            runArguments(fourth, ledger: ledger, server: server, single + ["--revoke-departed"]), in: dir)
        #expect(result.status == 3, "night 4: \(result.transcript)")
        #expect(await server.state.scriptedRemaining(for: custom) == 0)

        try writeExport(dir, ["n0@north.example", "n1@north.example", "n2@north.example"], name: "north.csv")
        try writeExport(dir, ["s0@south.example", "s1@contractors.example"], name: "south.csv")
        let job = """
            ledger = "ledger.sqlite"
            rate = 1000
            report_html = "job-report.html"

            [[organisation]]
            name = "north"
            provider = "google"
            credential_id = "\(credentialID)"
            scopes = ["https://www.googleapis.com/auth/calendar"]
            input = "north.csv"

            [[organisation]]
            name = "south"
            provider = "google"
            credential_id = "\(credentialID)"
            scopes = ["https://www.googleapis.com/auth/calendar"]
            input = "south.csv"
            """
        try job.write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)
        result = try await runBinary(
            ["run", "--job", dir + "/job.toml", "--api-uri", server.baseURI, "--no-progress"], in: dir)
        #expect(result.status == 1, "night 5 (job): \(result.transcript)")
        return ledger
    }

    static func mode(_ path: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    }

    @Test("rendered in Chromium: not blank, every section, the ledger's numbers, hostile rows as inert text")
    func renderedPage() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox(rejected: ["contractors.example"])
        defer { Task { await server.stop() } }
        let ledger = try await Self.fiveNights(dir, server)
        let page = dir + "/report.html"
        let written = try await runBinary(["report", "--ledger", ledger, "--format", "html", "--output", page], in: dir)
        #expect(written.status == 0, "\(written.transcript)")
        #expect(try Self.mode(page) == 0o600)
        #expect(try Self.mode(dir + "/night3.html") == 0o600, "run --html-report wrote no private file")
        #expect(try Self.mode(dir + "/job-report.html") == 0o600, "the job's report_html wrote no private file")

        let chromium = Chromium(directory: dir)
        let dom = try await chromium.dumpDOM(page)
        // Nothing ran: the title is the report's, and no element came out of a message.
        #expect(dom.contains("<title>bulkgrant morning report</title>"), "\(dom.prefix(2000))")
        #expect(!dom.lowercased().contains("<script"))
        #expect(!dom.lowercased().contains("<img"))
        #expect(dom.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        for id in ["last-run", "organisations", "runs", "failures", "repeat-failures", "departed", "throughput"] {
            #expect(dom.contains("<section id=\"\(id)\">"), "section \(id) missing")
        }
        #expect(dom.contains("<svg class=\"chart\""))

        // Hostile rows are text, character for character.
        let text = visibleText(dom)
        for hostile in [Self.formula, Self.ampersand, Self.hostileMessage] {
            #expect(text.contains(hostile), "not shown as text: \(hostile)")
        }

        // The numbers: what the ledger holds, as `status --json` reads it too.
        let status = try jsonObject(try await runBinary(["status", "--ledger", ledger, "--json"], in: dir).stdout)
        #expect((status["users"] as? [String: [String: Int]])?["google"] == ["granted": 16, "failed": 4, "revoked": 3])
        let organisations = try #require(element(dom, #"<section id="organisations">"#, closing: "</section>"))
        let expected: [(String, [String: Int])] = [
            ("", ["users": 18, "granted": 12, "failed": 3, "revoked": 3, "deferred": 0, "pending": 0]),
            ("north", ["users": 3, "granted": 3, "failed": 0, "revoked": 0]),
            ("south", ["users": 2, "granted": 1, "failed": 1, "revoked": 0]),
        ]
        for (name, counts) in expected {
            let row = try #require(element(organisations, #"<tr data-org="\#(name)""#, closing: "</tr>"), "no row for '\(name)'")
            let cells = numbers(row)
            for (key, value) in counts { #expect(cells[key] == value, "organisation '\(name)' \(key): \(cells)") }
        }

        let lastRun = try #require(element(dom, #"<section id="last-run">"#, closing: "</section>"))
        #expect(lastRun.contains("data-outcome=\"incomplete\""))
        #expect(visibleText(lastRun).contains("Incomplete · job of 2 organisations"))
        let outcome = try #require(element(lastRun, "<p class=\"outcome", closing: "</p>"))
        #expect(numbers(outcome)["granted"] == 4 && numbers(outcome)["failed"] == 1, "\(visibleText(outcome))")

        let runs = try #require(element(dom, #"<section id="runs">"#, closing: "</section>"))
        let summaries = try #require(status["runs"] as? [[String: Any]])
        #expect(summaries.count == 6)
        let perRun: [Int: [String: Int]] = [
            1: ["granted": 15, "failed": 3, "not_attempted": 0, "revoked": 0],
            3: ["granted": 12, "failed": 3, "revoked": 3, "departed": 0],
            4: ["granted": 8, "failed": 0, "not_attempted": 3, "departed": 4],
        ]
        for (id, counts) in perRun {
            let row = try #require(element(runs, #"<tr data-run="\#(id)""#, closing: "</tr>"))
            let cells = numbers(row)
            for (key, value) in counts { #expect(cells[key] == value, "run \(id) \(key): \(cells)") }
        }
        #expect(element(runs, #"<tr data-run="4""#, closing: "</tr>")?.contains("Refused by the safeguard") == true)

        let failures = try #require(element(dom, #"<section id="failures">"#, closing: "</section>"))
        #expect(failures.contains("data-failing=\"4\""), "4 users failing: \(visibleText(failures))")
        let refused = try #require(element(failures, #"data-cause="google.user_not_found""#, closing: "</article>"))
        #expect(numbers(refused)["users"] == 3)
        #expect(visibleText(refused).contains("e.g. \(Self.ampersand)"))
        #expect(visibleText(refused).contains("No active Workspace user has this address"))
        #expect(visibleText(refused).contains("Fix: Check the address in the Google Admin console"))
        let hostile = try #require(element(failures, #"data-cause="http.422:api.invalid_request_error""#, closing: "</article>"))
        #expect(numbers(hostile)["users"] == 1)
        #expect(visibleText(hostile).contains(Self.hostileMessage))

        let repeats = try #require(element(dom, #"<section id="repeat-failures">"#, closing: "</section>"))
        let repeatText = visibleText(repeats)
        for email in [Self.victim, Self.formula, Self.ampersand] { #expect(repeatText.contains(email)) }
        #expect(!repeatText.contains("s1@contractors.example"), "failed in one run only")

        let departed = try #require(element(dom, #"<section id="departed">"#, closing: "</section>"))
        let refusal = try #require(element(departed, #"data-kept="refused""#, closing: "</div>"))
        #expect(refusal.contains("data-run=\"4\"") && numbers(refusal)["kept"] == 4)
        #expect(visibleText(refusal).contains("refusing to revoke the grants of 4 departed users"), "\(visibleText(refusal))")
        for leaver in Self.leavers {
            let row = try #require(element(departed, #"<tr data-email="\#(leaver)""#, closing: "</tr>"))
            #expect(visibleText(row).contains("absent from run #3's export (or filtered out); grant deleted"))
        }

        let throughput = try #require(element(dom, #"<section id="throughput">"#, closing: "</section>"))
        for summary in summaries {
            let id = try #require(summary["id"] as? Int)
            let counts = summary["counts"] as? [String: Int] ?? [:]
            let row = try #require(element(throughput, #"<tr data-run="\#(id)""#, closing: "</tr>"))
            #expect(numbers(row)["api_calls"] == counts["api_calls"] ?? 0, "run \(id)")
            #expect(numbers(row)["rate_limited"] == counts["rate_limited"] ?? 0, "run \(id)")
        }
        #expect(numbers(try #require(element(throughput, #"<tr data-run="1""#, closing: "</tr>")))["rate_limited"] == 1)

        // Not blank, on a desktop and on a phone: far more ink than an empty page of that size.
        let blank = dir + "/blank.html"
        try "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body></body></html>"
            .write(toFile: blank, atomically: true, encoding: .utf8)
        for (width, height) in [(1100, 2400), (390, 2400)] {
            let shot = try await chromium.screenshot(page, width: width, height: height)
            let empty = try await chromium.screenshot(blank, width: width, height: height)
            #expect(shot.count > 8 * empty.count, "\(width)px: \(shot.count) bytes against \(empty.count) for an empty page")
        }

        // The report after a run reads the same ledger; the job's shows the job.
        let jobReport = try String(contentsOfFile: dir + "/job-report.html", encoding: .utf8)
        #expect(jobReport.contains("job of 2 organisations"))
        let night3 = try String(contentsOfFile: dir + "/night3.html", encoding: .utf8)
        #expect(night3.contains("data-email=\"leaver0@acme.example\""))
    }

    @Test("the page asks the network for nothing and holds no script; a page that does is caught")
    func noRequestNoScript() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox(rejected: ["contractors.example"])
        defer { Task { await server.stop() } }
        let ledger = dir + "/ledger.sqlite"
        let export = try writeExport(dir, [Self.victim, Self.formula] + addresses(0..<5))
        await server.state.script([try Self.hostileAnswer()], for: "/v3/connect/custom")
        let night = try await runBinary(
            runArguments(export, ledger: ledger, server: server, ["--concurrency", "1", "--html-report", dir + "/report.html"]),
            in: dir)
        #expect(night.status == 1, "\(night.transcript)")
        let page = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)

        // Read as markup: every literal '<' opens a tag, since text has them escaped.
        let tags = page.matches(of: /<[!\/]?[a-zA-Z][^>]*>/).map { String($0.output).lowercased() }
        #expect(!tags.isEmpty)
        let forbidden = ["script", "iframe", "object", "embed", "link", "img", "base", "form", "audio", "video", "source"]
        for tag in tags {
            let name = tag.dropFirst().prefix { $0.isLetter || $0 == "!" || $0 == "/" }.replacingOccurrences(of: "/", with: "")
            #expect(!forbidden.contains(name), "tag \(tag)")
            #expect(tag.firstMatch(of: /\s(src|href|srcset|action|formaction|xlink:href|poster|background|ping)\s*=/) == nil, "\(tag)")
            #expect(tag.firstMatch(of: /\son[a-z]+\s*=/) == nil, "event handler in \(tag)")
            #expect(!tag.contains("javascript:"))
        }
        let style = try #require(element(page, "<style>", closing: "</style>"))
        #expect(!style.contains("@import"))
        #expect(style.firstMatch(of: /url\(\s*['"]?(?!data:|#)/) == nil)
        #expect(page.contains("Content-Security-Policy"))

        // In the browser: the page's own requests, from the net log, are none.
        let chromium = Chromium(directory: dir)
        #expect(try await chromium.pageRequests(dir + "/report.html") == [])
        // The same check sees a page that does fetch (else it would prove nothing).
        let control = dir + "/control.html"
        try """
            <!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="https://styles.invalid/a.css">\
            </head><body><img src="http://canary.invalid/pixel.png"></body></html>
            """.write(toFile: control, atomically: true, encoding: .utf8)
        let requested = try await chromium.pageRequests(control)
        #expect(requested.contains("http://canary.invalid/pixel.png"), "\(requested)")
        #expect(requested.contains("https://styles.invalid/a.css"), "\(requested)")
    }

    @Test("bad uses: --state with html, an empty --html-report, an unwritable output")
    func badUses() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let ledger = dir + "/ledger.sqlite"
        let export = try writeExport(dir, addresses(0..<3))
        #expect(try await runBinary(runArguments(export, ledger: ledger, server: server), in: dir).status == 0)

        let state = try await runBinary(["report", "--ledger", ledger, "--format", "html", "--state", "failed"], in: dir)
        #expect(state.status == 2)
        #expect(state.stderr.contains("--state selects rows of csv and json"))
        let empty = try await runBinary(runArguments(export, ledger: ledger, server: server, ["--html-report", ""]), in: dir)
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("--html-report needs a path"))
        let nowhere = try await runBinary(
            ["report", "--ledger", ledger, "--format", "html", "--output", dir + "/missing/report.html"], in: dir)
        #expect(nowhere.status == 2)
        #expect(nowhere.stderr.contains("cannot write \(dir)/missing/report.html"))
        // A run whose report cannot be written still succeeds, and says so.
        let run = try await runBinary(
            runArguments(export, ledger: ledger, server: server, ["--html-report", dir + "/missing/report.html"]), in: dir)
        #expect(run.status == 0)
        #expect(run.stderr.contains("the html report was not written to \(dir)/missing/report.html"))
        // To standard output, for a pipe into mail.
        let piped = try await runBinary(["report", "--ledger", ledger, "--format", "html"], in: dir)
        #expect(piped.status == 0)
        #expect(piped.stdout.hasPrefix("<!DOCTYPE html>"))
        #expect(piped.stdout.contains("data-outcome=\"ok\""))
    }
}
