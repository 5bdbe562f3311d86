import Foundation
import GrantLedger
import Testing

@testable import Provisioning

@Suite("morning report pieces")
struct MorningReportUnitTests {
    @Test("HTML escapes every interpolated string; literals and HTML values stay markup")
    func escaping() {
        let hostile = #"<script>alert("x")</script> & 'quoted' =cmd"#
        let html: HTML = "<td title=\"\(hostile)\">\(hostile)</td>"
        #expect(
            html.markup
                == "<td title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; =cmd\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; =cmd</td>"
        )
        let nested: HTML = "<p>\(html)</p>"
        #expect(nested.markup == "<p>" + html.markup + "</p>")
        // What could hide or reorder an address is replaced, not passed on.
        #expect(HTML.escape("a\u{202E}b\u{0}c\u{85}d\te\nf") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\te\nf")
        #expect(HTML.escape("plain@acme.example") == "plain@acme.example")
    }

    @Test("failure causes: the catalogue's cause when recorded, else one per status and type; counts summed, the first address, the most common message")
    func causes() {
        let reasons = [
            FailureReasonCount(
                status: 400, type: "api.invalid_request_error", message: "Unable to authenticate the user with the provider",
                count: 5, example: "b@x.example", cause: "google.user_not_found"),
            FailureReasonCount(status: 422, type: "api.invalid_request_error", message: "odd for a@x.example", count: 2, example: "c@x.example"),
            FailureReasonCount(status: 422, type: "api.invalid_request_error", message: "odd for c@x.example", count: 2, example: "a@x.example"),
            FailureReasonCount(status: nil, type: nil, message: "connection reset", count: 1, example: "d@x.example"),
        ]
        let causes = FailureCause.group(reasons)
        #expect(causes.map(\.id) == ["google.user_not_found", "http.422:api.invalid_request_error", "transport:untyped"])
        #expect(causes.map(\.count) == [5, 4, 1])
        #expect(causes.map(\.recognised) == [true, false, false])
        #expect(causes[0].title.contains("no active Workspace user") && causes[0].fix.contains("Google Admin console"))
        #expect(causes[1].example == "a@x.example" && causes[1].message == "odd for a@x.example")
        #expect(causes[1].title == "HTTP 422 api.invalid_request_error" && causes[1].fix.contains("failure catalogue knows"))
        #expect(causes[2].title == "no HTTP answer" && causes[2].fix.contains("No answer arrived"))
        #expect(FailureCause.group(reasons, limit: 1).count == 1)
    }

    @Test("a run's tally: already granted, adopted and granted that night are granted; a refused run attempted nothing")
    func tally() {
        var run = RunSummary(id: 4, startedAt: 0, counts: [:])
        #expect(!RunTally(run).recorded && RunTally(run).total == 0)
        run.counts = ["new": 2, "granted": 10, "adopted": 3, "retry": 4, "granted_now": 3, "failed": 2, "deferred": 1, "departed": 5, "revoked": 2]
        let done = RunTally(run)
        #expect(done[.granted] == 16 && done[.failed] == 2 && done[.deferred] == 1 && done[.notAttempted] == 0)
        #expect(done[.revoked] == 2 && done[.departed] == 3)
        run.counts = ["granted": 8, "retry": 1, "resting": 2, "departed": 4]
        run.outcome = "refused"
        let refused = RunTally(run)
        #expect(refused[.granted] == 8 && refused[.notAttempted] == 1 && refused[.resting] == 2 && refused[.departed] == 4)
    }
}
