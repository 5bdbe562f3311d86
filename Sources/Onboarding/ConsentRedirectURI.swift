import Foundation

/// The `redirect_uri` of an admin-consent request, checked before any URL is printed: Nylas
/// sends the admin's browser there with the outcome, so a typo costs the admin a second round.
public struct ConsentRedirectURI: Sendable, Hashable, CustomStringConvertible {
    /// As given (trimmed).
    public let text: String
    public let scheme: String
    public let host: String
    /// The port the browser connects to: the explicit one, else 80 or 443.
    public let port: Int
    /// The path the redirect lands on (`/` when empty).
    public let path: String
    public let isLoopback: Bool

    /// Parses and checks `uri`: absolute http(s) with a host, no user info, no fragment, and
    /// plain http only for loopback (the admin's consent must not cross a network in clear).
    public init(_ uri: String) throws {
        let text = uri.trimmingCharacters(in: .whitespaces)
        func refuse(_ why: String) -> ConsentError {
            ConsentError(code: .invalidRedirectURI, message: "--redirect-uri '\(text)' \(why)")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw refuse("is not an absolute URI: give one such as http://localhost:8400/callback")
        }
        guard scheme == "http" || scheme == "https" else {
            throw refuse("must start with https:// (or http:// for localhost), not \(scheme):")
        }
        guard let host = components.host, !host.isEmpty else {
            throw refuse("has no host: give one such as http://localhost:8400/callback")
        }
        guard components.user == nil && components.password == nil else {
            throw refuse("must not carry a user name or password")
        }
        guard components.fragment == nil else {
            throw refuse("must not have a #fragment (OAuth forbids it)")
        }
        let loopback = Self.isLoopback(host)
        guard scheme == "https" || loopback else {
            throw refuse(
                "uses plain http:// to \(host): only localhost may be plain http; use https:// for any other host")
        }
        self.text = text
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = components.port ?? (scheme == "https" ? 443 : 80)
        self.path = components.path.isEmpty ? "/" : components.path
        self.isLoopback = loopback
    }

    /// Whether `bulkgrant consent listen` can receive this redirect: plain http to
    /// `localhost` or `127.0.0.1`, the address the listener binds.
    public var isListenable: Bool {
        scheme == "http" && (host == "localhost" || host == "127.0.0.1")
    }

    public var description: String { text }

    /// `localhost`, `::1` and 127.x.x.x: names that cannot leave the machine.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
