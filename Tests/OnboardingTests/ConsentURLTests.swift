import Foundation
import Testing

@testable import Onboarding

@Suite("Consent URL builder")
struct ConsentURLTests {
    @Test("the URL carries every parameter in order, each value percent-encoded")
    func encodesEveryValue() throws {
        let consent = try ConsentURL(
            apiBaseURI: "https://api.eu.nylas.com", credentialID: "cred 1&x=y", clientID: "client+id",
            redirectURI: "http://localhost:8400/callback?from=bulkgrant", scopes: ["Calendars.ReadWrite", "Mail.Read"],
            state: "state-123_~.", tenant: "acme.onmicrosoft.com")
        #expect(
            consent.url
                == "https://api.eu.nylas.com/v3/connect/auth?provider=microsoft"
                + "&redirect_uri=http%3A%2F%2Flocalhost%3A8400%2Fcallback%3Ffrom%3Dbulkgrant"
                + "&response_type=adminconsent&state=state-123_~.&credential_id=cred%201%26x%3Dy"
                + "&client_id=client%2Bid&scope=Calendars.ReadWrite%20Mail.Read")
        // Read back by a standard parser, every value is what was given.
        let items = URLComponents(string: consent.url)!.queryItems!
        let values = Dictionary(uniqueKeysWithValues: items.map { ($0.name, $0.value ?? "") })
        #expect(values["credential_id"] == "cred 1&x=y")
        #expect(values["client_id"] == "client+id")
        #expect(values["redirect_uri"] == "http://localhost:8400/callback?from=bulkgrant")
        #expect(values["scope"] == "Calendars.ReadWrite Mail.Read")
    }

    @Test("no scope parameter without --scope, and a trailing slash on the API base is dropped")
    func noScopeWithoutScopes() throws {
        let consent = try ConsentURL(
            apiBaseURI: "https://api.us.nylas.com/", credentialID: "c", clientID: "x",
            redirectURI: "https://admin.acme.com/consent", state: "abcdefgh")
        #expect(consent.url.hasPrefix("https://api.us.nylas.com/v3/connect/auth?provider=microsoft&"))
        #expect(!consent.url.contains("scope="))
        #expect(!consent.redirectURI.isListenable)
    }

    @Test("scopes are refused without a tenant, and with a tenant that is not one organisation",
        arguments: [nil, "common", "Common", "organizations", "consumers"])
    func scopeNeedsSpecificTenant(tenant: String?) {
        #expect {
            try ConsentURL(
                apiBaseURI: "https://api.us.nylas.com", credentialID: "c", clientID: "x",
                redirectURI: "http://localhost:8400/callback", scopes: ["Mail.Read"], tenant: tenant)
        } throws: { error in
            guard let error = error as? ConsentError, error.code == .scopeNeedsTenant else { return false }
            return error.message.contains("--scope") && error.message.contains("specific tenant")
        }
    }

    @Test("common without scopes is fine: the Azure app's permissions are consented to")
    func commonWithoutScopes() throws {
        let consent = try ConsentURL(
            apiBaseURI: "https://api.us.nylas.com", credentialID: "c", clientID: "x",
            redirectURI: "http://127.0.0.1:8400/callback", tenant: "common")
        #expect(consent.redirectURI.isListenable)
        #expect(consent.redirectURI.port == 8400)
        #expect(consent.redirectURI.path == "/callback")
    }

    @Test("a random state by default: 43 URL-safe characters, never the same twice")
    func randomStates() throws {
        var seen = Set<String>()
        for _ in 0..<200 {
            let consent = try ConsentURL(
                apiBaseURI: "https://api.us.nylas.com", credentialID: "c", clientID: "x",
                redirectURI: "http://localhost:8400/callback")
            #expect(consent.state.count == 43)
            #expect(consent.state.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            #expect(consent.url.contains("&state=\(consent.state)&"))
            seen.insert(consent.state)
        }
        #expect(seen.count == 200)
    }

    @Test("a random state never starts with '-' or '_', which a command line would read as a flag")
    func randomStateNotAFlag() {
        // One base64url state in 32 starts with '-' or '_': 2,000 draws meet dozens.
        for _ in 0..<2000 {
            let first = ConsentState.random().first
            #expect(first.map { $0.isLetter || $0.isNumber } == true, "\(String(describing: first))")
        }
    }

    @Test("base64url encodes whole and partial groups as RFC 4648 says")
    func base64URL() {
        #expect(ConsentState.base64URL(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(ConsentState.base64URL(Array("fooba".utf8)) == "Zm9vYmE")
        #expect(ConsentState.base64URL(Array("foob".utf8)) == "Zm9vYg")
        #expect(ConsentState.base64URL([0xFB, 0xFF]) == "-_8")
    }

    @Test("a given state must be 8-256 unreserved characters", arguments: ["short", "has space", "a&b=cdefgh", String(repeating: "a", count: 257)])
    func badStates(state: String) {
        #expect(throws: ConsentError.self) {
            try ConsentURL(
                apiBaseURI: "https://api.us.nylas.com", credentialID: "c", clientID: "x",
                redirectURI: "http://localhost:8400/callback", state: state)
        }
    }

    @Test("redirect URIs that Nylas or a browser would refuse are refused with the reason",
        arguments: [
            ("callback", "not an absolute URI"), ("/callback", "not an absolute URI"),
            ("ftp://localhost/cb", "must start with https://"), ("http://example.com/cb", "only localhost may be plain http"),
            ("http://10.0.0.5:8400/cb", "only localhost may be plain http"), ("https://acme.com/cb#x", "#fragment"),
            ("https://user:pw@acme.com/cb", "user name or password"), ("https:///cb", "has no host"),
        ])
    func badRedirects(uri: String, reason: String) {
        #expect {
            try ConsentRedirectURI(uri)
        } throws: { error in
            guard let error = error as? ConsentError, error.code == .invalidRedirectURI else { return false }
            return error.message.contains(reason) && error.message.contains("--redirect-uri")
        }
    }

    @Test("loopback redirects: plain http is fine; only localhost and 127.0.0.1 are listenable")
    func loopbackRedirects() throws {
        #expect(try ConsentRedirectURI("http://localhost:8400/cb").isListenable)
        #expect(try ConsentRedirectURI("HTTP://LOCALHOST:8400/cb").isListenable)
        #expect(try ConsentRedirectURI("http://[::1]:8400/cb").isLoopback)
        #expect(try !ConsentRedirectURI("http://[::1]:8400/cb").isListenable)
        #expect(try !ConsentRedirectURI("https://localhost:8400/cb").isListenable)
        #expect(try ConsentRedirectURI("http://localhost").port == 80)
        #expect(try ConsentRedirectURI("http://localhost").path == "/")
    }

    @Test("empty credential or client ids are refused")
    func emptyIDs() {
        #expect(throws: ConsentError.self) {
            try ConsentURL(apiBaseURI: "https://api.us.nylas.com", credentialID: " ", clientID: "x", redirectURI: "http://localhost/")
        }
        #expect(throws: ConsentError.self) {
            try ConsentURL(apiBaseURI: "https://api.us.nylas.com", credentialID: "c", clientID: "", redirectURI: "http://localhost/")
        }
    }
}

@Suite("Consent redirect reading and the result page")
struct ConsentRedirectTests {
    let state = "the-expected-state"

    @Test func consentWithTheRightState() {
        #expect(
            ConsentRedirect.classify(query: "admin_consent=True&state=\(state)&tenant=t1", expectedState: state)
                == .consented(tenant: "t1"))
    }

    @Test("an OAuth error is read with + and %XX decoded")
    func errorDecoded() {
        #expect(
            ConsentRedirect.classify(
                query: "error=access_denied&error_description=AADSTS65004%3A+User+declined&state=\(state)",
                expectedState: state) == .refused(error: "access_denied", description: "AADSTS65004: User declined"))
    }

    @Test("a missing, wrong or doubled state is never trusted, whatever else the request says",
        arguments: ["admin_consent=true", "admin_consent=true&state=other", "admin_consent=true&state=the-expected-stat",
            "admin_consent=true&state=the-expected-state&state=other", "error=access_denied&state=wrong", ""])
    func stateMismatch(query: String) {
        #expect(ConsentRedirect.classify(query: query, expectedState: state) == .stateMismatch)
    }

    @Test func neitherConsentNorError() {
        #expect(ConsentRedirect.classify(query: "state=\(state)&admin_consent=false", expectedState: state) == .incomplete)
    }

    @Test("the page escapes what it echoes")
    func pageEscapes() {
        let html = ConsentPage.render(
            title: "t", message: "m", details: [("error_description", "<script>alert('x')</script> & \"q\"")], ok: false)
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"))
        #expect(!html.contains("<script>"))
    }
}
