import Crypto
import Foundation
import _CryptoExtras

/// Reads the `private_key` of a service-account key file as an RSA key, and when it cannot,
/// says why: cut short, damaged, encrypted, another algorithm, or too short. No message quotes
/// the key.
enum PrivateKeyPEM {
    static func parse(_ pem: String, path: String) throws -> _RSA.Signing.PrivateKey {
        let download = "download a new JSON key rather than repairing this one"
        func fail(_ code: KeyFileError.Code, _ message: String) -> KeyFileError {
            KeyFileError(code: code, path: path, message: message)
        }
        if !pem.contains("\n"), pem.contains("\\n") {
            throw fail(
                .damagedKey,
                "private_key holds the characters \\n instead of line breaks (it was escaped twice, or pasted by hand): \(download)")
        }
        guard let begin = pem.firstMatch(of: /-----BEGIN ([A-Z0-9 ]+)-----/) else {
            throw fail(.damagedKey, "private_key is not a PEM key (no -----BEGIN PRIVATE KEY----- line): \(download)")
        }
        let label = String(begin.output.1)
        switch label {
        case "PRIVATE KEY", "RSA PRIVATE KEY":
            break
        case "ENCRYPTED PRIVATE KEY":
            throw fail(
                .encryptedKey,
                "private_key is encrypted with a passphrase, which Nylas cannot use: \(download) (Google's JSON keys are not encrypted)")
        case "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY":
            throw fail(.notRSA, "private_key is an \(label), not an RSA key: Google service-account keys are RSA; \(download)")
        default:
            throw fail(.damagedKey, "private_key is a PEM \(label), not a private key: \(download)")
        }
        let endLine = "-----END \(label)-----"
        let afterBegin = pem[begin.range.upperBound...]
        guard let end = afterBegin.range(of: endLine) else {
            throw fail(.truncatedKey, "private_key is cut short (no \(endLine) line): the file was truncated or edited; \(download)")
        }
        let body = afterBegin[..<end.lowerBound].filter { !$0.isWhitespace }
        guard !body.isEmpty else {
            throw fail(.truncatedKey, "private_key has no data between its BEGIN and END lines: \(download)")
        }
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let padding = body.reversed().prefix { $0 == "=" }.count
        guard padding <= 2, body.dropLast(padding).allSatisfy({ alphabet.contains($0) }) else {
            throw fail(.damagedKey, "private_key's base64 data is damaged (it holds characters that base64 does not use): \(download)")
        }
        guard body.count % 4 == 0, let der = Data(base64Encoded: String(body)) else {
            throw fail(
                .truncatedKey,
                "private_key's base64 data is incomplete (\(body.count) characters, not a multiple of 4): part of it is missing; \(download)")
        }
        try checkDERLength(der, fail: fail, download: download)
        do {
            return try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch CryptoKitError.incorrectParameterSize {
            let bits = (try? _RSA.Signing.PrivateKey(unsafePEMRepresentation: pem).keySizeInBits).map { "\($0)-bit" } ?? "short"
            throw fail(.weakKey, "private_key is a \(bits) RSA key; 2048 bits or more are needed (Google issues 2048): \(download)")
        } catch {
            if containsOID(der, [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]) || containsOID(der, [0x2B, 0x65, 0x70]) {
                throw fail(.notRSA, "private_key is an elliptic-curve key, not an RSA key: Google service-account keys are RSA; \(download)")
            }
            throw fail(.damagedKey, "private_key is not a readable RSA key (its data is damaged): \(download)")
        }
    }

    /// A DER key is one SEQUENCE whose length says how many bytes follow: fewer means the data
    /// was cut, a different shape means it was damaged.
    private static func checkDERLength(
        _ der: Data, fail: (KeyFileError.Code, String) -> KeyFileError, download: String
    ) throws {
        let bytes = [UInt8](der)
        guard bytes.count >= 2, bytes[0] == 0x30 else {
            throw fail(.damagedKey, "private_key's data is not a key (it does not start as one): \(download)")
        }
        var length = Int(bytes[1])
        var header = 2
        if bytes[1] & 0x80 != 0 {
            let count = Int(bytes[1] & 0x7F)
            guard count >= 1, count <= 4, bytes.count >= 2 + count else {
                throw fail(.damagedKey, "private_key's data is not a key (its length field is damaged): \(download)")
            }
            length = bytes[2..<(2 + count)].reduce(0) { $0 << 8 | Int($1) }
            header += count
        }
        if header + length > bytes.count {
            throw fail(
                .truncatedKey,
                "private_key is cut short: its data announces \(header + length) bytes but holds \(bytes.count); \(download)")
        }
        if header + length < bytes.count {
            throw fail(.damagedKey, "private_key's data has \(bytes.count - header - length) stray bytes after the key: \(download)")
        }
    }

    private static func containsOID(_ der: Data, _ oid: [UInt8]) -> Bool {
        der.prefix(64).range(of: Data([0x06, UInt8(oid.count)] + oid)) != nil
    }
}
