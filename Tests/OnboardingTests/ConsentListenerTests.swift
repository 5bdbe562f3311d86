import Foundation
import GrantLedger
import SandboxTestSupport
import Testing

@testable import Onboarding

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The listener over real loopback HTTP, recording into a real ledger file.
@Suite("Consent listener")
struct ConsentListenerTests {
    let state = "s7Hk2-QpZ0_wYy8~r.4m"
    let consentTime = 1_738_281_600.5

    @Test("a success redirect records the consent and its time, shows it worked, and ends the wait")
    func successRedirect() async throws {
        try await withListener(credentialID: "cred-ms") { listener, ledger in
            // A browser asks for the favicon first: 404, and the listener keeps waiting.
            let favicon = try await get(listener, "/favicon.ico")
            #expect(favicon.status == 404)
            #expect(try await get(listener, "/other?state=\(state)&admin_consent=true").status == 404)
            #expect(try await ledger.consent(credentialID: "cred-ms") == nil)

            let page = try await get(listener, "/callback?admin_consent=True&state=\(state)&tenant=acme-tenant")
            #expect(page.status == 200)
            #expect(page.body.contains("Admin consent received"))
            #expect(page.body.contains("cred-ms"))
            #expect(page.body.contains("2025-01-31T00:05:01Z"), "the page says from when grants can be created")
            #expect(page.contentType.hasPrefix("text/html"))
            #expect(await listener.outcome() == .consented(at: consentTime, tenant: "acme-tenant", recorded: true))
            #expect(
                try await ledger.consent(credentialID: "cred-ms")
                    == ConsentRecord(credentialID: "cred-ms", consentedAt: consentTime, tenant: "acme-tenant"))
            // A second redirect (a reload) records nothing more.
            let again = try await get(listener, "/callback?admin_consent=true&state=\(state)&tenant=other")
            #expect(again.status == 409)
            #expect(try await ledger.consent(credentialID: "cred-ms")?.tenant == "acme-tenant")
            await listener.stop()
            await #expect(throws: (any Error).self, "the listener is down after stop") {
                try await get(listener, "/callback")
            }
        }
    }

    @Test("an error redirect shows the OAuth error and description escaped, and records nothing")
    func errorRedirect() async throws {
        try await withListener(credentialID: "cred-ms") { listener, ledger in
            let page = try await get(
                listener,
                "/callback?error=access_denied&error_description=AADSTS65004%3A+%3Cscript%3Ealert(1)%3C%2Fscript%3E+declined&state=\(state)"
            )
            #expect(page.status == 200)
            #expect(page.body.contains("Admin consent was not given"))
            #expect(page.body.contains("access_denied"))
            #expect(page.body.contains("AADSTS65004: &lt;script&gt;alert(1)&lt;/script&gt; declined"))
            #expect(!page.body.contains("<script>"))
            #expect(
                await listener.outcome()
                    == .refused(error: "access_denied", description: "AADSTS65004: <script>alert(1)</script> declined"))
            #expect(try await ledger.consent(credentialID: "cred-ms") == nil)
        }
    }

    @Test("a wrong state gets a 400 page, records nothing, and the listener keeps waiting for the right one")
    func wrongState() async throws {
        try await withListener(credentialID: "cred-ms") { listener, ledger in
            for query in ["admin_consent=true&state=forged-state-value", "admin_consent=true", "error=access_denied&state=nope"] {
                let page = try await get(listener, "/callback?" + query)
                #expect(page.status == 400, "\(query)")
                #expect(page.body.contains("The state does not match"))
                #expect(try await ledger.consent(credentialID: "cred-ms") == nil, "a forged request must not record consent")
            }
            let page = try await get(listener, "/callback?admin_consent=true&state=\(state)")
            #expect(page.status == 200)
            #expect(await listener.outcome() == .consented(at: consentTime, tenant: nil, recorded: true))
            #expect(try await ledger.consent(credentialID: "cred-ms")?.consentedAt == consentTime)
        }
    }

    @Test("without a credential id the page is shown and nothing is recorded")
    func withoutCredential() async throws {
        try await withListener(credentialID: nil) { listener, ledger in
            let page = try await get(listener, "/callback?admin_consent=true&state=\(state)")
            #expect(page.status == 200)
            #expect(page.body.contains("not recorded"))
            #expect(await listener.outcome() == .consented(at: consentTime, tenant: nil, recorded: false))
            #expect(try await ledger.consent(credentialID: "cred-ms") == nil)
        }
    }

    @Test("a port already in use is refused with a message saying so")
    func portInUse() async throws {
        try await withListener(credentialID: nil) { listener, _ in
            await #expect {
                try await ConsentListener.start(.init(port: listener.port, state: state), ledger: nil, logger: quietLogger)
            } throws: { error in
                (error as? ConsentError)?.code == .cannotListen && "\(error)".contains("port in use")
            }
        }
    }

    // MARK: - helpers

    private func withListener(
        credentialID: String?, _ body: (ConsentListener, Ledger) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("consent-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try Ledger.open(path: directory + "/l.sqlite", apiIdentity: "loopback-sandbox", logger: quietLogger)
        defer { try? ledger.close() }
        let listener = try await ConsentListener.start(
            .init(port: 0, state: state, credentialID: credentialID), ledger: ledger,
            clock: JumpingClock(consentTime), logger: quietLogger)
        #expect(listener.port > 0)
        #expect(listener.url == "http://127.0.0.1:\(listener.port)/callback")
        do {
            try await body(listener, ledger)
        } catch {
            await listener.stop()
            throw error
        }
        await listener.stop()
    }

    private struct Page {
        var status: Int
        var body: String
        var contentType: String
    }

    private func get(_ listener: ConsentListener, _ pathAndQuery: String) async throws -> Page {
        let url = URL(string: "http://127.0.0.1:\(listener.port)\(pathAndQuery)")!
        var request = URLRequest(url: url)
        request.timeoutInterval = 10
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        return Page(
            status: http.statusCode, body: String(decoding: data, as: UTF8.self),
            contentType: http.value(forHTTPHeaderField: "Content-Type") ?? "")
    }
}
