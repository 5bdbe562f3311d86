import AsyncHTTPClient
import Foundation

extension NylasClientConfiguration {
    /// An HTTP proxy, reached in clear, through which every call opens a `CONNECT` tunnel to the
    /// API host (TLS then runs inside the tunnel, end to end).
    ///
    /// Its `description` never shows the password: `http://alice:[redacted]@proxy.corp:3128`.
    public struct Proxy: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var username: String?
        /// Sent only in the `Proxy-Authorization` header of `CONNECT`; never printed.
        public var password: String?
        /// Where the setting came from, for messages: `--proxy`, `HTTPS_PROXY`, `job file`.
        public var source: String?

        public init(host: String, port: Int, username: String? = nil, password: String? = nil, source: String? = nil) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.source = source
        }

        /// Parses `http://[user[:password]@]host[:port][/]`; the scheme may be left out and the
        /// port defaults to 80. Credentials are percent-decoded. Errors never repeat the password.
        public init(url text: String, source: String? = nil) throws {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let shown = Self.redacted(trimmed)
            let origin = source.map { "\($0): " } ?? ""
            func invalid(_ why: String) -> NylasError {
                NylasError(code: .invalidConfiguration, call: "configuration", message: "\(origin)proxy '\(shown)' \(why)")
            }
            let withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed
            guard let components = URLComponents(string: withScheme), let scheme = components.scheme?.lowercased() else {
                throw invalid("is not a URL: give http://[USER:PASSWORD@]HOST:PORT")
            }
            switch scheme {
            case "http": break
            case "https":
                throw invalid(
                    "uses https://, a TLS connection to the proxy itself, which is not supported: give http://HOST:PORT (calls to Nylas are still TLS, end to end, inside the tunnel)")
            default:
                throw invalid("uses \(scheme)://; only HTTP proxies (CONNECT) are supported: give http://HOST:PORT")
            }
            guard let host = components.host, !host.isEmpty else { throw invalid("names no host: give http://HOST:PORT") }
            guard components.path.isEmpty || components.path == "/", components.query == nil else {
                throw invalid("has a path or query: give only http://[USER:PASSWORD@]HOST:PORT")
            }
            if let port = components.port, !(1...65535).contains(port) {
                throw invalid("has port \(port): give one from 1 to 65535")
            }
            self.init(
                host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: components.port ?? 80,
                username: components.user.flatMap { $0.isEmpty ? nil : $0 }, password: components.password,
                source: source)
        }

        /// `http://alice:[redacted]@proxy.corp:3128` (with `(from SOURCE)` in `described`).
        public var description: String {
            var credentials = ""
            if let username {
                credentials = username + (password == nil ? "" : ":[redacted]") + "@"
            } else if password != nil {
                credentials = ":[redacted]@"
            }
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "http://\(credentials)\(shownHost):\(port)"
        }

        /// The description and where it came from: `http://proxy:3128 (from HTTPS_PROXY)`.
        public var described: String {
            description + (source.map { " (from \($0))" } ?? "")
        }

        /// Text to scrub from anything printed: the password, and the Basic credential that
        /// carries it.
        public var secrets: [String] {
            guard let password, !password.isEmpty else { return [] }
            let basic = Data("\(username ?? ""):\(password)".utf8).base64EncodedString()
            var found = [password, basic]
            if let encoded = password.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed), encoded != password {
                found.append(encoded)
            }
            return found
        }

        /// What AsyncHTTPClient sends on `CONNECT`.
        var configuration: HTTPClient.Configuration.Proxy {
            let authorization = (username != nil || password != nil)
                ? HTTPClient.Authorization.basic(username: username ?? "", password: password ?? "") : nil
            return .server(host: host, port: port, authorization: authorization)
        }

        /// `Basic …` for `Proxy-Authorization`, or nil without credentials.
        var authorizationHeader: String? {
            guard username != nil || password != nil else { return nil }
            return "Basic " + Data("\(username ?? ""):\(password ?? "")".utf8).base64EncodedString()
        }

        /// A proxy URL as typed, with anything between the scheme and the last `@` replaced:
        /// safe to print even when it could not be parsed.
        public static func redacted(_ text: String) -> String {
            guard let at = text.range(of: "@", options: .backwards) else { return text }
            let start = text.range(of: "://").map(\.upperBound) ?? text.startIndex
            guard start <= at.lowerBound else { return text }
            return String(text[..<start]) + "[credentials]" + String(text[at.lowerBound...])
        }
    }
}
