import Crypto
import Foundation
import NIOSSL
import NylasSandbox
import X509

/// Certificates made at test time with swift-certificates, written as PEM files into a folder
/// of their own: a CA, and leaves it signed for the sandbox on loopback (`localhost` and
/// `127.0.0.1`), one expired, one for another host. Nothing is checked in, so nothing expires
/// in the repository.
public struct TestCertificates: Sendable {
    /// The folder holding the files; `remove()` deletes it.
    public let folder: String
    /// The CA's certificate: what `--ca-file` names.
    public var caFile: String { folder + "/ca.pem" }

    /// A leaf: its certificate file and key file.
    public struct Leaf: Sendable {
        public let certificateFile: String
        public let keyFile: String

        /// The sandbox's TLS setting for this leaf.
        public func sandboxTLS() throws -> SandboxTLS {
            try SandboxTLS.load(certificateFile: certificateFile, keyFile: keyFile)
        }
    }

    /// Valid now, for `localhost` and `127.0.0.1`.
    public var valid: Leaf { leaf("valid") }
    /// For `localhost` and `127.0.0.1`, expired yesterday.
    public var expired: Leaf { leaf("expired") }
    /// Valid now, but for `wrong.example` only.
    public var wrongHost: Leaf { leaf("wrong-host") }
    /// Valid now, for loopback, but signed by a CA the tests never trust.
    public var otherIssuer: Leaf { leaf("other-issuer") }

    /// Makes them all in a new temporary folder.
    public static func make() throws -> TestCertificates {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("certs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let made = TestCertificates(folder: folder)
        let now = Date()
        let hour: TimeInterval = 3600
        let ca = try Authority(name: "bulkgrant test CA", now: now)
        try ca.certificatePEM.write(toFile: made.caFile, atomically: true, encoding: .utf8)
        let stranger = try Authority(name: "bulkgrant untrusted CA", now: now)
        let loopback: [GeneralName] = [.dnsName("localhost"), .ipAddress(.init(contentBytes: [127, 0, 0, 1]))]
        try made.write("valid", try ca.issue("localhost", names: loopback, from: now - hour, to: now + 48 * hour))
        try made.write("expired", try ca.issue("localhost", names: loopback, from: now - 72 * hour, to: now - 24 * hour))
        try made.write("wrong-host", try ca.issue("wrong.example", names: [.dnsName("wrong.example")], from: now - hour, to: now + 48 * hour))
        try made.write("other-issuer", try stranger.issue("localhost", names: loopback, from: now - hour, to: now + 48 * hour))
        return made
    }

    public func remove() { try? FileManager.default.removeItem(atPath: folder) }

    private func leaf(_ name: String) -> Leaf {
        Leaf(certificateFile: folder + "/\(name).pem", keyFile: folder + "/\(name)-key.pem")
    }

    private func write(_ name: String, _ issued: (certificate: String, key: String)) throws {
        let files = leaf(name)
        try issued.certificate.write(toFile: files.certificateFile, atomically: true, encoding: .utf8)
        try issued.key.write(toFile: files.keyFile, atomically: true, encoding: .utf8)
    }

    /// A self-signed CA that signs leaves.
    struct Authority {
        let key = P256.Signing.PrivateKey()
        let name: DistinguishedName
        let certificate: Certificate

        init(name common: String, now: Date) throws {
            name = try DistinguishedName {
                OrganizationName("bulkgrant tests")
                CommonName(common)
            }
            certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                notValidBefore: now - 86400, notValidAfter: now + 30 * 86400, issuer: name, subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                },
                issuerPrivateKey: .init(key))
        }

        var certificatePEM: String { (try? certificate.serializeAsPEM().pemString) ?? "" }

        /// A server certificate for `names`, valid from `start` to `end`, and its key, as PEM.
        func issue(_ common: String, names: [GeneralName], from start: Date, to end: Date) throws -> (certificate: String, key: String) {
            let leafKey = P256.Signing.PrivateKey()
            let subject = try DistinguishedName { CommonName(common) }
            let leaf = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey), notValidBefore: start,
                notValidAfter: end, issuer: name, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames(names)
                },
                issuerPrivateKey: .init(key))
            return (try leaf.serializeAsPEM().pemString, leafKey.pemRepresentation)
        }
    }
}
