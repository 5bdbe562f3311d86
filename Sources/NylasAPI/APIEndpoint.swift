import Foundation

/// Where the Nylas API lives: a region or any base URI.
///
/// Plain `http://` is accepted only for loopback hosts (the sandbox), so that the API key is
/// never sent in clear over a network.
public struct APIEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The base URI, without a trailing slash.
    public let baseURI: String
    public let host: String
    public let isLoopback: Bool

    /// The US region, `https://api.us.nylas.com`, the default.
    public static let us = try! APIEndpoint("https://api.us.nylas.com")
    /// The EU region, `https://api.eu.nylas.com`.
    public static let eu = try! APIEndpoint("https://api.eu.nylas.com")

    /// A region by name (`us`, `eu`), or nil.
    public static func region(_ name: String) -> APIEndpoint? {
        switch name.lowercased() {
        case "us": return .us
        case "eu": return .eu
        default: return nil
        }
    }

    public init(_ uri: String) throws {
        var text = uri.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty
        else {
            throw NylasError(
                code: .invalidConfiguration, call: "configuration",
                message: "'\(uri)' is not a usable API URI: give one such as https://api.us.nylas.com")
        }
        let loopback = APIEndpoint.isLoopbackHost(host)
        switch scheme {
        case "https": break
        case "http":
            guard loopback else {
                throw NylasError(
                    code: .insecureURL, call: "configuration",
                    message: "refusing plain http:// to \(host): the API key would cross the network unencrypted; use https://")
            }
        default:
            throw NylasError(
                code: .invalidConfiguration, call: "configuration",
                message: "'\(uri)' must start with https:// (or http:// for a loopback sandbox)")
        }
        self.baseURI = text
        self.host = host.lowercased()
        self.isLoopback = loopback
    }

    /// What a ledger is bound to: the scheme and host, with every loopback address folded into
    /// one name because a sandbox's port changes from run to run.
    public var identity: String {
        isLoopback ? Self.sandboxIdentity : baseURI.lowercased()
    }

    /// The identity of every loopback API: the sandbox's.
    public static let sandboxIdentity = "loopback-sandbox"

    public var description: String { baseURI }

    /// Only names that cannot leave the machine: `localhost`, `::1` and 127.x.x.x. Not
    /// `*.localhost`, which most resolvers pass on to DNS, where any answer may come back.
    static func isLoopbackHost(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
