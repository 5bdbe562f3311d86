/// Which proxy, if any, a client for one endpoint goes through, and why.
///
/// The rules, in order:
/// 1. An explicit setting (`--proxy URL`, a job file's `proxy`) wins over the environment;
///    `none` (or an empty value) means direct, whatever the environment says.
/// 2. Otherwise `HTTPS_PROXY`, else `https_proxy`, else `ALL_PROXY`, else `all_proxy` (empty
///    values are skipped). The API is always HTTPS, so `HTTP_PROXY` is not read.
/// 3. A proxy from the environment is never used for a loopback host (`localhost`, 127.x, ::1):
///    a sandbox on this machine is not behind the company's proxy. An explicit one is: that is
///    how the tunnel is tested on loopback.
/// 4. `NO_PROXY` (else `no_proxy`) exempts the hosts it names from either (see `NoProxyList`).
///
/// It reads only the dictionary it is given: the CLI passes the process environment, and
/// `NylasClient` never looks at the environment itself.
public struct ProxyChoice: Sendable, Hashable {
    /// The proxy to use; nil for a direct connection.
    public var proxy: NylasClientConfiguration.Proxy?
    /// Why, for `doctor`: `from HTTPS_PROXY`, `none: NO_PROXY matches 127.0.0.1`, …
    public var reason: String

    public init(proxy: NylasClientConfiguration.Proxy?, reason: String) {
        self.proxy = proxy
        self.reason = reason
    }

    /// The names of the variables read, in order of precedence.
    public static let proxyVariables = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
    public static let noProxyVariables = ["NO_PROXY", "no_proxy"]

    /// - Parameters:
    ///   - explicit: the proxy URL given explicitly, and where (`--proxy`, `job file`).
    /// - Throws: `NylasError` `.invalidConfiguration` for a proxy URL that cannot be used (its
    ///   password never repeated).
    public static func resolve(
        for endpoint: APIEndpoint, explicit: (url: String, source: String)? = nil, environment: [String: String]
    ) throws -> ProxyChoice {
        let noProxyName = noProxyVariables.first { !(environment[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
        let noProxy = NoProxyList(noProxyName.flatMap { environment[$0] } ?? "")
        let candidate: NylasClientConfiguration.Proxy
        if let explicit {
            let text = explicit.url.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.lowercased() == "none" {
                return ProxyChoice(proxy: nil, reason: "none: \(explicit.source) says none")
            }
            candidate = try NylasClientConfiguration.Proxy(url: text, source: explicit.source)
        } else {
            guard
                let name = proxyVariables.first(where: {
                    !(environment[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty
                }), let value = environment[name]
            else {
                return ProxyChoice(proxy: nil, reason: "none: no --proxy, HTTPS_PROXY or ALL_PROXY is set")
            }
            if endpoint.isLoopback {
                return ProxyChoice(
                    proxy: nil,
                    reason: "none: \(name) is not used for the loopback host \(endpoint.host) (pass --proxy to tunnel to it)")
            }
            candidate = try NylasClientConfiguration.Proxy(url: value, source: name)
        }
        if let noProxyName, noProxy.matches(host: endpoint.host, port: endpoint.port) {
            return ProxyChoice(
                proxy: nil,
                reason: "none: \(noProxyName) (\(noProxy.text)) exempts \(endpoint.authority) from \(candidate.described)")
        }
        return ProxyChoice(proxy: candidate, reason: "from \(candidate.source ?? "the configuration")")
    }
}
