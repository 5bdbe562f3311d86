import Foundation
import NylasAPI
import Testing

@Suite("proxy settings")
struct ProxySettingsTests {
    typealias Proxy = NylasClientConfiguration.Proxy

    static let api = APIEndpoint.us
    static let password = "pa55-CANARY-word"

    @Test func aProxyURLIsParsedAndItsPasswordNeverShown() throws {
        let proxy = try Proxy(url: "http://alice:pa55-CANARY%40word@proxy.corp:3128/", source: "HTTPS_PROXY")
        #expect(proxy.host == "proxy.corp" && proxy.port == 3128)
        #expect(proxy.username == "alice" && proxy.password == "pa55-CANARY@word")
        #expect(proxy.description == "http://alice:[redacted]@proxy.corp:3128")
        #expect(proxy.described == "http://alice:[redacted]@proxy.corp:3128 (from HTTPS_PROXY)")
        #expect(proxy.secrets.contains("pa55-CANARY@word") && proxy.secrets.contains("pa55-CANARY%40word"))
        #expect(!"\(proxy)".contains("CANARY") && !String(reflecting: proxy.description).contains("CANARY"))
    }

    @Test func theSchemeAndPortMayBeLeftOut() throws {
        let bare = try Proxy(url: "proxy.corp:8080")
        #expect(bare.host == "proxy.corp" && bare.port == 8080 && bare.username == nil)
        #expect(try Proxy(url: "http://proxy.corp").port == 80)
        #expect(try Proxy(url: "http://[fd00::1]:3128").description == "http://[fd00::1]:3128")
    }

    @Test(arguments: [
        ("https://alice:\(password)@proxy.corp:3128", "not supported"),
        ("socks5://alice:\(password)@proxy.corp:1080", "only HTTP proxies"),
        ("http://alice:\(password)@proxy.corp:3128/path", "path"),
        ("http://alice:\(password)@:3128", "host"),
    ])
    func anUnusableProxyIsRefusedWithoutItsPassword(url: String, reason: String) {
        #expect {
            try Proxy(url: url, source: "--proxy")
        } throws: { error in
            let message = (error as? NylasError)?.message ?? ""
            return (error as? NylasError)?.code == .invalidConfiguration && message.contains(reason)
                && message.hasPrefix("--proxy: proxy '") && !message.contains(Self.password)
        }
    }

    @Test func redactionHidesAnythingBeforeTheLastAt() {
        #expect(Proxy.redacted("http://a:b@c@proxy:1") == "http://[credentials]@proxy:1")
        #expect(Proxy.redacted("a:b@proxy:1") == "[credentials]@proxy:1")
        #expect(Proxy.redacted("http://proxy:1") == "http://proxy:1")
    }

    // MARK: Choosing

    func choose(_ environment: [String: String], explicit: String? = nil, for endpoint: APIEndpoint = api) throws -> ProxyChoice {
        try ProxyChoice.resolve(for: endpoint, explicit: explicit.map { ($0, "--proxy") }, environment: environment)
    }

    @Test func theEnvironmentIsReadInOrder() throws {
        #expect(try choose([:]).proxy == nil)
        #expect(try choose(["HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"]).proxy?.host == "upper")
        #expect(try choose(["HTTPS_PROXY": " ", "https_proxy": "http://lower:2"]).proxy?.host == "lower")
        #expect(try choose(["ALL_PROXY": "http://all:3"]).proxy?.host == "all")
        #expect(try choose(["all_proxy": "http://all:3"]).reason == "from all_proxy")
        #expect(try choose(["HTTP_PROXY": "http://plain:4"]).proxy == nil, "the API is HTTPS: HTTP_PROXY is not for it")
    }

    @Test func anExplicitProxyWinsAndNoneMeansDirect() throws {
        let chosen = try choose(["HTTPS_PROXY": "http://env:1"], explicit: "http://flag:2")
        #expect(chosen.proxy?.host == "flag" && chosen.proxy?.source == "--proxy")
        #expect(try choose(["HTTPS_PROXY": "http://env:1"], explicit: "none").proxy == nil)
        #expect(try choose(["HTTPS_PROXY": "http://env:1"], explicit: "").proxy == nil)
    }

    @Test func loopbackIsNeverProxiedFromTheEnvironmentButIsWhenAsked() throws {
        let sandbox = try APIEndpoint("https://127.0.0.1:8443")
        let fromEnvironment = try choose(["HTTPS_PROXY": "http://env:1"], for: sandbox)
        #expect(fromEnvironment.proxy == nil)
        #expect(fromEnvironment.reason.contains("loopback") && fromEnvironment.reason.contains("--proxy"))
        #expect(try choose([:], explicit: "http://127.0.0.1:3128", for: sandbox).proxy?.port == 3128)
    }

    @Test(arguments: [
        ("*", "api.us.nylas.com", 443, true),
        ("nylas.com", "api.us.nylas.com", 443, true),
        ("nylas.com", "nylas.com", 443, true),
        ("NYLAS.com", "api.us.nylas.com", 443, true),
        (".nylas.com", "api.us.nylas.com", 443, true),
        (".nylas.com", "nylas.com", 443, false),
        ("*.nylas.com", "nylas.com", 443, false),
        ("*.nylas.com", "api.eu.nylas.com", 443, true),
        ("example.com, api.us.nylas.com", "api.us.nylas.com", 443, true),
        ("ylas.com", "api.us.nylas.com", 443, false),
        ("api.us.nylas.com:8443", "api.us.nylas.com", 443, false),
        ("api.us.nylas.com:443", "api.us.nylas.com", 443, true),
        ("127.0.0.1", "127.0.0.1", 8443, true),
        ("127.0.0.1:9000", "127.0.0.1", 8443, false),
        ("10.0.0.0/8", "10.20.30.40", 443, true),
        ("10.0.0.0/8", "11.0.0.1", 443, false),
        ("::1", "::1", 443, true),
        ("[::1]:8443", "[::1]", 8443, true),
        ("fd00::/8", "fd12::1", 443, true),
        ("10.0.0.1", "host.10.0.0.1", 443, false),
    ])
    func noProxyMatchesByItsConventions(list: String, host: String, port: Int, matches: Bool) {
        #expect(NoProxyList(list).matches(host: host, port: port) == matches, "\(list) vs \(host):\(port)")
    }

    @Test func noProxyExemptsAnExplicitProxyToo() throws {
        let sandbox = try APIEndpoint("https://127.0.0.1:8443")
        let chosen = try choose(["no_proxy": "127.0.0.1"], explicit: "http://127.0.0.1:3128", for: sandbox)
        #expect(chosen.proxy == nil)
        #expect(chosen.reason.contains("no_proxy (127.0.0.1) exempts 127.0.0.1:8443"))
        #expect(try choose(["NO_PROXY": "nylas.com", "HTTPS_PROXY": "http://env:1"]).proxy == nil)
    }

    @Test func aBadProxyInTheEnvironmentIsNamedWithoutItsPassword() {
        #expect {
            try choose(["HTTPS_PROXY": "ftp://bob:\(Self.password)@proxy:21"])
        } throws: { error in
            let message = (error as? NylasError)?.message ?? ""
            return message.hasPrefix("HTTPS_PROXY: ") && !message.contains(Self.password)
        }
    }

    // MARK: Trust

    @Test func aCAFileMustHoldAPEMCertificate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let garbage = folder + "/ca.pem"
        try "not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        for (path, reason) in [(garbage, "holds no PEM certificate"), (folder + "/absent.pem", "no such file"), (folder, "is a folder")] {
            #expect {
                try NylasClientConfiguration.TLS.trusting(caFile: path, source: "SSL_CERT_FILE")
            } throws: { error in
                let message = (error as? NylasError)?.message ?? ""
                return message.hasPrefix("SSL_CERT_FILE \(path): ") && message.contains(reason)
            }
        }
        #expect(NylasClientConfiguration.TLS().trustDescription == "the system's roots")
    }
}
