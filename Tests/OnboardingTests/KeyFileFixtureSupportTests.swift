import Foundation
import Testing

/// Service-account key files made at test time with `openssl`, so that no private key is ever
/// committed. The RSA key is generated once per test process.
enum KeyFixture {
    /// A fresh 2048-bit RSA key, PKCS#8 PEM, as Google puts in `private_key`.
    static let pem: String = try! openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])

    static let clientEmail = "sync@bulkgrant-tests.iam.gserviceaccount.com"

    /// The fields of a Google JSON key file around `pem`.
    static func fields(pem: String = pem) -> [String: Any] {
        [
            "type": "service_account",
            "project_id": "bulkgrant-tests",
            "private_key_id": "3f1c2d4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d",
            "private_key": pem,
            "client_email": clientEmail,
            "client_id": "109876543210987654321",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "universe_domain": "googleapis.com",
        ]
    }

    /// A key file's bytes: the standard fields, changed by `change`.
    static func json(_ change: (inout [String: Any]) -> Void = { _ in }) -> Data {
        var object = fields()
        change(&object)
        return try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    /// The lines of the key's base64 body: none may appear in any message or output.
    static var bodyLines: [String] {
        pem.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("-----") }
    }

    /// The key as a PKCS#12 file (with a self-signed certificate, as Google's legacy .p12 keys).
    static func p12() throws -> Data {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try pem.write(toFile: folder + "/key.pem", atomically: true, encoding: .utf8)
        _ = try openssl(
            ["req", "-new", "-x509", "-key", "key.pem", "-subj", "/CN=bulkgrant-tests", "-days", "1", "-out", "cert.pem"],
            in: folder)
        _ = try openssl(
            ["pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", "key.p12", "-passout", "pass:notasecret"],
            in: folder)
        return try Data(contentsOf: URL(fileURLWithPath: folder + "/key.p12"))
    }

    /// An EC P-256 key in PKCS#8 PEM.
    static func ecPEM() throws -> String {
        try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
    }

    /// A 1024-bit RSA key, too short for Google (and for swift-crypto's safe constructor).
    static func shortRSAPEM() throws -> String {
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"])
    }

    /// Runs openssl in `folder` (a fresh one when nil) and returns its standard output.
    @discardableResult
    static func openssl(_ arguments: [String], in folder: String? = nil, stdin: Data? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        // Small outputs (a key, a verdict): reading to the end before waiting cannot block.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError(message: "openssl \(arguments.first ?? "") failed: \(errorText)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keyfile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct FixtureError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

@Suite("OnboardingTests key-file fixtures")
struct KeyFileFixtureSupportTests {
    @Test func opensslMakesAPKCS8RSAKey() {
        #expect(KeyFixture.pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(KeyFixture.pem.contains("-----END PRIVATE KEY-----"))
        #expect(KeyFixture.bodyLines.count > 20)
    }
}
