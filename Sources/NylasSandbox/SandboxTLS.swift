import Foundation
import NIOSSL

/// The certificate and key with which a sandbox serves HTTPS, so that the client's whole TLS
/// path (and a proxy's tunnel) is exercised on loopback.
public struct SandboxTLS: Sendable {
    /// The server's certificate first, then any intermediates.
    public var certificateChain: [NIOSSLCertificate]
    public var privateKey: NIOSSLPrivateKey

    public init(certificateChain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }

    /// Reads a PEM certificate chain and its PEM private key.
    /// - Throws: `SandboxError` naming the file and what is wrong with it.
    public static func load(certificateFile: String, keyFile: String) throws -> SandboxTLS {
        func contents(_ path: String, _ flag: String) throws -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SandboxError("\(flag) \(path): cannot be read; check the path and its permissions")
            }
            return Array(data)
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(try contents(certificateFile, "--tls-cert"))
        } catch let error as SandboxError {
            throw error
        } catch {
            throw SandboxError("--tls-cert \(certificateFile): not a PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        guard !certificates.isEmpty else {
            throw SandboxError("--tls-cert \(certificateFile): holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: try contents(keyFile, "--tls-key"), format: .pem)
        } catch let error as SandboxError {
            throw error
        } catch {
            throw SandboxError("--tls-key \(keyFile): not a PEM private key (-----BEGIN PRIVATE KEY-----)")
        }
        return SandboxTLS(certificateChain: certificates, privateKey: key)
    }

    var serverConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificateChain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }
}
