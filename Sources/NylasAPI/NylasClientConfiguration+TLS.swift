import Foundation
import NIOSSL

extension NylasClientConfiguration {
    /// Whom the client trusts: always the system's roots, and the certificates of a CA file
    /// (`--ca-file`, `SSL_CERT_FILE`) when given, for a TLS-inspecting proxy or a private gateway.
    ///
    /// The CA file adds to the system's roots rather than replacing them, so that hosts that a
    /// `NO_PROXY` rule sends direct still verify against the public CAs.
    public struct TLS: Sendable, Hashable {
        /// The CA file, as given.
        public private(set) var caFile: String?
        /// Where it came from, for messages: `--ca-file`, `SSL_CERT_FILE`.
        public private(set) var caFileSource: String?
        /// Its certificates, read when the setting was made so that a bad file fails at once.
        public private(set) var additionalRoots: [NIOSSLCertificate] = []

        /// The system's roots only.
        public init() {}

        /// The system's roots and every certificate of the PEM file at `path`.
        /// - Throws: `NylasError` `.invalidConfiguration` naming the file and what to do, when it
        ///   is missing, unreadable or holds no PEM certificate.
        public static func trusting(caFile path: String, source: String = "--ca-file") throws -> TLS {
            func invalid(_ why: String) -> NylasError {
                NylasError(code: .invalidConfiguration, call: "configuration", message: "\(source) \(path): \(why)")
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw invalid("no such file; give the PEM file of the CA to trust (the proxy's or gateway's CA certificate)")
            }
            guard !isDirectory.boolValue else { throw invalid("is a folder; give the CA's PEM file inside it") }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw invalid("cannot be read; check its permissions")
            }
            guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
                throw invalid(
                    "holds no PEM certificate (-----BEGIN CERTIFICATE-----); convert a DER file with: openssl x509 -inform der -in ca.cer -out ca.pem")
            }
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMBytes(Array(data))
            } catch {
                throw invalid("a certificate in it cannot be read (damaged PEM); export the CA certificate again")
            }
            guard !certificates.isEmpty else { throw invalid("holds no certificate") }
            var tls = TLS()
            tls.caFile = path
            tls.caFileSource = source
            tls.additionalRoots = certificates
            return tls
        }

        /// `the system's roots`, or `the system's roots and 2 certificates of ca.pem (--ca-file)`.
        public var trustDescription: String {
            guard let caFile else { return "the system's roots" }
            let count = additionalRoots.count
            return "the system's roots and \(count) certificate\(count == 1 ? "" : "s") of \(caFile) (\(caFileSource ?? "--ca-file"))"
        }

        /// NIOSSL's client configuration: full verification (chain, validity, host name).
        func makeConfiguration() -> TLSConfiguration {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .fullVerification
            if !additionalRoots.isEmpty {
                configuration.additionalTrustRoots = [.certificates(additionalRoots)]
            }
            return configuration
        }
    }
}
