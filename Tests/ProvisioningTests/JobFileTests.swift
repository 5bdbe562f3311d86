import Foundation
import NylasAPI
import Testing

@testable import Provisioning

@Suite("job file")
struct JobFileTests {
    let path = "/etc/bulkgrant/job.toml"

    @Test("a full job file: job-wide settings, organisations, paths relative to the file's folder")
    func parsesEverything() throws {
        let job = try JobFile.parse(
            """
            ledger = "state/ledger.sqlite"
            rate = 40
            concurrency = 16
            max_attempts = 3
            revoke_departed = true
            max_revoke = "5%"

            [[organisation]]
            name = "acme"
            provider = "google"
            credential_id = "c1"
            scopes = ["https://www.googleapis.com/auth/calendar"]
            input = "acme.csv"
            domains = ["ACME.example"]
            where = "Status=Active"
            exclude = ["Department=Contractors,Interns"]

            [[organisation]]
            name = "contoso"
            provider = "Microsoft"
            credential_id = "c2"
            input = "/srv/contoso.txt"
            format = "lines"
            """, path: path)
        #expect(job.ledger == "/etc/bulkgrant/state/ledger.sqlite")
        #expect(job.rate == 40 && job.concurrency == 16 && job.maxAttempts == 3)
        #expect(job.revokeDeparted && job.maxRevoke == RevocationLimit("5%"))
        #expect(job.organisations.map(\.name) == ["acme", "contoso"])
        #expect(job.organisations[0].input == "/etc/bulkgrant/acme.csv")
        #expect(job.organisations[0].domains == ["acme.example"])
        #expect(job.organisations[0].whereFilters == ["Status=Active"])
        #expect(job.organisations[1].provider == .microsoft)
        #expect(job.organisations[1].format == .lines)
        let options = try job.runOptions(for: job.organisations[0], apiIdentity: "api.us.nylas.com")
        #expect(options.organisation == "acme")
        #expect(options.engine.concurrency == 16 && options.engine.rate == 40)
        #expect(options.reader.filters.count == 2)
    }

    @Test("every problem is listed, each naming its key or organisation")
    func listsEveryProblem() throws {
        let error = try #require(
            throws: JobFileError.self,
            performing: {
                try JobFile.parse(
                    """
                    rate = "fast"
                    organisations = 1

                    [[organisation]]
                    name = "acme"
                    provider = "yahoo"
                    input = "a.csv"

                    [[organisation]]
                    name = "ACME"
                    provider = "microsoft"
                    credential_id = "c"
                    input = "b.csv"
                    scopes = ["x"]
                    where = ["Status"]
                    """, path: path)
            })
        let text = error.description
        #expect(text.contains("rate must be a number, not a string"), "\(text)")
        #expect(text.contains("unknown key 'organisations'; did you mean organisation?"), "\(text)")
        #expect(text.contains("organisation 'acme': provider must be google or microsoft, not 'yahoo'"), "\(text)")
        #expect(text.contains("organisation 'acme': credential_id is missing"), "\(text)")
        #expect(text.contains("organisation 'ACME': scopes are for Google only"), "\(text)")
        #expect(text.contains("organisation 'ACME': where:"), "\(text)")
    }

    @Test("report_html: resolved against the job file's folder; empty or misspelt is a problem")
    func reportHTML() throws {
        let org = "\n[[organisation]]\nname = \"a\"\nprovider = \"microsoft\"\ncredential_id = \"c\"\ninput = \"a\"\n"
        #expect(try JobFile.parse("report_html = \"out/report.html\"" + org, path: path).reportHTML == "/etc/bulkgrant/out/report.html")
        #expect(try JobFile.parse("report_html = \"/srv/r.html\"" + org, path: path).reportHTML == "/srv/r.html")
        #expect(try JobFile.parse(org, path: path).reportHTML == nil)
        let empty = try #require(throws: JobFileError.self, performing: { try JobFile.parse("report_html = \" \"" + org, path: path) })
        #expect(empty.description.contains("report_html is empty"), "\(empty)")
        let typo = try #require(throws: JobFileError.self, performing: { try JobFile.parse("report-html = \"r.html\"" + org, path: path) })
        #expect(typo.description.contains("unknown key 'report-html'; did you mean report_html?"), "\(typo)")
        let number = try #require(throws: JobFileError.self, performing: { try JobFile.parse("report_html = 1" + org, path: path) })
        #expect(number.description.contains("report_html must be a string"), "\(number)")
    }

    @Test("not TOML: the line and column of the mistake")
    func syntaxError() throws {
        let error = try #require(
            throws: JobFileError.self, performing: { try JobFile.parse("rate = 45\n[[organisation]\nname = 1\n", path: path) })
        #expect(error.code == .syntax)
        #expect(error.description.contains("line 2"), "\(error)")
    }

    @Test("duplicate names, case-insensitively, and a file with no organisation")
    func namesAndEmptiness() throws {
        let empty = try #require(throws: JobFileError.self, performing: { try JobFile.parse("rate = 45\n", path: path) })
        #expect(empty.description.contains("lists no organisation"))
        let org = "[[organisation]]\nname = \"%@\"\nprovider = \"microsoft\"\ncredential_id = \"c\"\ninput = \"a\"\n"
        let twice = try #require(
            throws: JobFileError.self,
            performing: {
                try JobFile.parse(String(format: org, "Acme") + String(format: org, "acme"), path: path)
            })
        #expect(twice.description.contains("same name as organisation 1"))
    }

    @Test("proxy: a URL (checked, its password never repeated in a problem) or none; the runner's network is recorded")
    func proxyKey() throws {
        let organisation = """

            [[organisation]]
            name = "acme"
            provider = "google"
            credential_id = "c1"
            scopes = ["https://www.googleapis.com/auth/calendar"]
            input = "acme.csv"
            """
        var job = try JobFile.parse("proxy = \"http://alice:job-CANARY@proxy.corp:3128\"" + organisation, path: path)
        #expect(job.proxy == "http://alice:job-CANARY@proxy.corp:3128")
        #expect(try JobFile.parse("proxy = \"none\"" + organisation, path: path).proxy == "none")
        #expect(try JobFile.parse(organisation, path: path).proxy == nil)
        job.recordedExtras = ["proxy": "http://alice:[redacted]@proxy.corp:3128"]
        let options = try job.runOptions(for: job.organisations[0], apiIdentity: "api.us.nylas.com")
        #expect(options.recordedOptions["proxy"] == "http://alice:[redacted]@proxy.corp:3128")
        #expect(!options.recordedOptions.values.contains { $0.contains("CANARY") })
        for bad in ["socks5://alice:job-CANARY@proxy.corp:1080", "https://alice:job-CANARY@proxy.corp"] {
            #expect {
                try JobFile.parse("proxy = \"\(bad)\"" + organisation, path: path)
            } throws: { error in
                let text = "\(error)"
                return text.contains("proxy '") && !text.contains("job-CANARY")
            }
        }
    }
}

@Suite("fair gate")
struct FairGateTests {
    @Test("a freed slot goes to the next waiting organisation in turn, not to the one with the most waiters")
    func turns() async throws {
        let gate = FairGate(slots: 1)
        #expect(await gate.acquire(0))
        let order = OrderLog()
        // Organisation 0 queues five waiters, then organisation 1 one, organisation 2 one.
        var tasks: [Task<Void, Never>] = []
        for organisation in [0, 0, 0, 0, 0, 1, 2] {
            let queued = await gate.waiterCount
            tasks.append(
                Task {
                    guard await gate.acquire(organisation) else { return }
                    await order.append(organisation)
                    await gate.release()
                })
            while await gate.waiterCount == queued { await Task.yield() }
        }
        await gate.release()
        for task in tasks { await task.value }
        // Without turns the five waiters of organisation 0 would go first.
        #expect(await order.entries == [0, 1, 2, 0, 0, 0, 0])
        #expect(await gate.held == 0)
    }

    @Test("a cancelled waiter leaves the queue without a slot")
    func cancellation() async throws {
        let gate = FairGate(slots: 1)
        #expect(await gate.acquire(0))
        let waiter = Task { await gate.acquire(1) }
        while await gate.waiterCount == 0 { await Task.yield() }
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(await gate.waiterCount == 0)
        await gate.release()
        #expect(await gate.held == 0)
    }
}

actor OrderLog {
    var entries: [Int] = []
    func append(_ value: Int) { entries.append(value) }
}
