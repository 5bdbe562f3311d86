import Foundation

/// A `NO_PROXY` list: the hosts reached directly even when a proxy is set.
///
/// Entries are separated by commas or spaces, compared without regard to case:
/// - `*` alone: every host.
/// - `example.com`: that name and every name under it; `.example.com` or `*.example.com`: only
///   the names under it (as Go reads them).
/// - `10.1.2.3`, `::1`: that address; `10.0.0.0/8`, `fd00::/8`: the addresses in that range
///   (only hosts written as addresses match: names are not resolved).
/// - any of those with `:PORT` (`[::1]:8443` for IPv6): only that port.
public struct NoProxyList: Sendable, Hashable {
    enum Pattern: Sendable, Hashable {
        case everything
        case domain(String, includingItself: Bool)
        case address([UInt8], prefix: Int)
    }

    struct Entry: Sendable, Hashable {
        var pattern: Pattern
        var port: Int?
    }

    let entries: [Entry]
    /// The text it was read from, trimmed.
    public let text: String

    public init(_ text: String) {
        self.text = text.trimmingCharacters(in: .whitespaces)
        entries = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).compactMap { Self.entry(String($0)) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Whether `host` (a name or an address) at `port` is to be reached directly.
    public func matches(host: String, port: Int) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        let address = IPAddressText.bytes(bare)
        for entry in entries where entry.port == nil || entry.port == port {
            switch entry.pattern {
            case .everything:
                return true
            case .domain(let name, let includingItself):
                if address == nil, bare.hasSuffix("." + name) || (includingItself && bare == name) { return true }
            case .address(let network, let prefix):
                if let address, address.count == network.count, Self.prefix(address, network, bits: prefix) { return true }
            }
        }
        return false
    }

    private static func entry(_ raw: String) -> Entry? {
        var text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard !text.isEmpty else { return nil }
        if text == "*" { return Entry(pattern: .everything, port: nil) }
        var port: Int?
        // `[v6]:port`, `[v6]`, `host:port`; a bare IPv6 address has several colons and no port.
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = Int(rest.dropFirst()) }
            text = String(text[text.index(after: text.startIndex)..<close])
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.lastIndex(of: ":") {
            port = Int(text[text.index(after: colon)...])
            text = String(text[..<colon])
        }
        if let slash = text.firstIndex(of: "/") {
            guard let bytes = IPAddressText.bytes(String(text[..<slash])), let bits = Int(text[text.index(after: slash)...]),
                (0...(bytes.count * 8)).contains(bits)
            else { return nil }
            return Entry(pattern: .address(bytes, prefix: bits), port: port)
        }
        if let bytes = IPAddressText.bytes(text) {
            return Entry(pattern: .address(bytes, prefix: bytes.count * 8), port: port)
        }
        if text.hasPrefix("*.") { return Entry(pattern: .domain(String(text.dropFirst(2)), includingItself: false), port: port) }
        if text.hasPrefix(".") { return Entry(pattern: .domain(String(text.dropFirst()), includingItself: false), port: port) }
        return Entry(pattern: .domain(text, includingItself: true), port: port)
    }

    private static func prefix(_ a: [UInt8], _ b: [UInt8], bits: Int) -> Bool {
        var left = bits
        for index in a.indices where left > 0 {
            let take = min(8, left)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if a[index] & mask != b[index] & mask { return false }
            left -= take
        }
        return true
    }
}
