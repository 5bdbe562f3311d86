import Foundation
import NIOSSL
import X509

/// What a person needs to know of a server's certificate: who it names, who issued it, and
/// when it is valid. Read with swift-certificates from the certificate NIOSSL received.
public struct CertificateSummary: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The subject's distinguished name, e.g. `CN=api.us.nylas.com`.
    public var subject: String
    /// The issuer's distinguished name: the CA, or a TLS-inspecting proxy's own CA.
    public var issuer: String
    public var notValidBefore: Date
    public var notValidAfter: Date
    /// The DNS names and IP addresses of its subject alternative names.
    public var names: [String]

    public init(subject: String, issuer: String, notValidBefore: Date, notValidAfter: Date, names: [String]) {
        self.subject = subject
        self.issuer = issuer
        self.notValidBefore = notValidBefore
        self.notValidAfter = notValidAfter
        self.names = names
    }

    /// Reads `certificate`; nil when it cannot be parsed.
    public init?(_ certificate: NIOSSLCertificate) {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        var names: [String] = []
        if let alternatives = try? parsed.extensions.subjectAlternativeNames {
            for name in alternatives {
                switch name {
                case .dnsName(let dns): names.append(dns)
                case .ipAddress(let octets): names.append(Self.ipText(Array(octets.bytes)))
                default: break
                }
            }
        }
        self.init(
            subject: parsed.subject.description, issuer: parsed.issuer.description,
            notValidBefore: parsed.notValidBefore, notValidAfter: parsed.notValidAfter, names: names)
    }

    /// Whether the certificate names `host`: a DNS name (a leading `*.` covers one label) or an
    /// IP address, as TLS clients match them (RFC 6125).
    public func names(host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if let address = IPAddressText.bytes(bare) {
            return names.contains { IPAddressText.bytes($0) == address }
        }
        return names.contains { name in
            let pattern = name.lowercased()
            if pattern == bare { return true }
            guard pattern.hasPrefix("*.") else { return false }
            let suffix = pattern.dropFirst(1)
            guard bare.hasSuffix(suffix) else { return false }
            return !bare.dropLast(suffix.count).contains(".") && bare.count > suffix.count
        }
    }

    /// `CN=localhost, issued by CN=Test CA, valid 2025-01-01 to 2026-01-01`.
    public var description: String {
        "\(subject), issued by \(issuer), valid \(Self.day(notValidBefore)) to \(Self.day(notValidAfter))"
    }

    /// A date as `2025-01-31T04:00:00Z`.
    public static func day(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    private static func ipText(_ bytes: [UInt8]) -> String {
        IPAddressText.text(bytes) ?? bytes.map { String($0) }.joined(separator: ".")
    }
}

/// IPv4 and IPv6 addresses as bytes and back, for matching certificate names and NO_PROXY.
enum IPAddressText {
    /// The 4 or 16 bytes of an address, or nil when `text` is not one.
    static func bytes(_ text: String) -> [UInt8]? {
        let bare = text.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    static func text(_ bytes: [UInt8]) -> String? {
        switch bytes.count {
        case 4: return bytes.map { String($0) }.joined(separator: ".")
        case 16:
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        default: return nil
        }
    }
}
