import ArgumentParser
import Foundation
import Testing

@testable import bulkgrant

/// The crontab line and the systemd units in `examples/` hold the exact commands an admin
/// copies: they must parse and validate with this version's flags.
@Suite("examples/ for nightly operation")
struct ExamplesTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")

    /// The arguments after `bulkgrant` on the first line of `text` that runs it.
    static func invocation(in text: String, after marker: String) throws -> [String] {
        let line = try #require(
            text.split(separator: "\n").first { !$0.hasPrefix("#") && $0.contains(marker) })
        let tail = line[line.range(of: marker)!.upperBound...]
        var words: [String] = []
        for word in tail.split(separator: " ") {
            // The shell's redirections and what follows them are not bulkgrant's.
            if word.hasPrefix(">") || word.hasPrefix("2>") || word.hasPrefix(";") || word == "|" { break }
            words.append(String(word).replacingOccurrences(of: "%d", with: "/run/credentials/bulkgrant.service"))
        }
        return words
    }

    @Test("the crontab line parses as a nightly run with the safeguards and observability on")
    func crontab() throws {
        let text = try String(contentsOf: Self.examples.appendingPathComponent("crontab"), encoding: .utf8)
        let arguments = try Self.invocation(in: text, after: "&& bulkgrant ")
        let command = try Bulkgrant.parseAsRoot(arguments)
        let run = try #require(command as? RunCommand)
        #expect(run.nightly.revokeDeparted && run.nightly.repairInvalid)
        #expect(run.nightly.logFormat == .json)
        #expect(run.nightly.metricsFile?.hasSuffix(".prom") == true)
        #expect(!text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined().contains("%"), "a bare % breaks a crontab")
        // The release archive's install lines put the binary in /usr/local/bin (README: Install).
        #expect(text.contains("\nPATH=/usr/local/bin:"))
    }

    @Test("the systemd service's ExecStart parses; the timer is nightly and persistent")
    func systemd() throws {
        let service = try String(
            contentsOf: Self.examples.appendingPathComponent("systemd/bulkgrant.service"), encoding: .utf8)
        let arguments = try Self.invocation(in: service, after: "ExecStart=/usr/local/bin/bulkgrant ")
        let run = try #require(try Bulkgrant.parseAsRoot(arguments) as? RunCommand)
        #expect(run.nightly.revokeDeparted && run.nightly.metricsFile != nil)
        #expect(run.api.apiKeyFile == "/run/credentials/bulkgrant.service/nylas-api-key")
        #expect(service.contains("SuccessExitStatus=1"))
        #expect(service.contains("Type=oneshot"))
        let timer = try String(contentsOf: Self.examples.appendingPathComponent("systemd/bulkgrant.timer"), encoding: .utf8)
        #expect(timer.contains("OnCalendar=*-*-* 02:30:00"))
        #expect(timer.contains("Persistent=true"))
        #expect(timer.contains("WantedBy=timers.target"))
    }
}
