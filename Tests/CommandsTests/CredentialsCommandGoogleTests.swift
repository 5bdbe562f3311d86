import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// Google key files made at test time with `openssl` (no private key is committed); the RSA
/// key is generated once per test process.
enum GoogleKeyFixture {
    static let pem: String = try! openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
    static let clientEmail = "sync@bulkgrant-tests.iam.gserviceaccount.com"

    static func json(_ change: (inout [String: Any]) -> Void = { _ in }) -> Data {
        var object: [String: Any] = [
            "type": "service_account", "project_id": "bulkgrant-tests", "private_key_id": "0a1b2c3d4e5f",
            "private_key": pem, "client_email": clientEmail, "client_id": "109876543210987654321",
            "token_uri": "https://oauth2.googleapis.com/token",
        ]
        change(&object)
        return try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    /// What must never be printed: the PEM markers and every line of the key's body.
    static var secretFragments: [String] {
        ["BEGIN PRIVATE KEY"] + pem.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("-----") }
    }

    static func leaks(_ text: String) -> Bool { secretFragments.contains { text.contains($0) } }

    /// Writes a key file with `mode` in `folder`.
    @discardableResult
    static func write(_ data: Data, to folder: String, name: String = "sa.json", mode: mode_t = 0o600) throws -> String {
        let path = folder + "/" + name
        try data.write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return path
    }

    /// The key as a PKCS#12 file, as Google's legacy .p12 keys are.
    static func p12(in folder: String) throws -> Data {
        try pem.write(toFile: folder + "/key.pem", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: folder + "/key.pem") }
        try openssl(["req", "-new", "-x509", "-key", "key.pem", "-subj", "/CN=t", "-days", "1", "-out", "cert.pem"], in: folder)
        try openssl(
            ["pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", "key.p12", "-passout", "pass:notasecret"],
            in: folder)
        return try Data(contentsOf: URL(fileURLWithPath: folder + "/key.p12"))
    }

    @discardableResult
    static func openssl(_ arguments: [String], in folder: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite("bulkgrant credentials create google")
struct CredentialsCommandGoogleTests {
    static let runCommand = "bulkgrant run hr-export.csv --provider google --credential-id"

    @Test func aValidKeyCreatesTheCredentialAndPrintsItsIdAndTheRunCommand() async throws {
        try await withCLI { cli, server, client in
            let keyFile = try GoogleKeyFixture.write(GoogleKeyFixture.json(), to: cli.directory)
            let output = try await cli.run(["credentials", "create", "google", "--name", "Workspace sync", "--key-file", keyFile])
            #expect(output.status == 0, "\(output.transcript)")
            let id = try #require(output.stdout.firstMatch(of: /created google credential ([0-9a-f-]{36})/)?.output.1)
            #expect(output.stdout.contains("for \(GoogleKeyFixture.clientEmail)"))
            #expect(output.stdout.contains(
                "\(Self.runCommand) \(id) --scope https://www.googleapis.com/auth/calendar"), "\(output.stdout)")
            #expect(output.stdout.contains("Client ID:     109876543210987654321"))
            #expect(output.stderr.isEmpty, "\(output.stderr)")
            #expect(!GoogleKeyFixture.leaks(output.all))

            let stored = try await client.getCredential(provider: .google, id: String(id))
            #expect(stored.name == "Workspace sync")
            #expect(stored.credentialType == .serviceAccount)
            #expect(await server.state.stats().count("POST", "/v3/connectors/{provider}/creds", status: 201) == 1)

            // Nylas re-uses a credential whose name and data are identical: the same id back
            // shows the same fields were sent again, as JSON this time.
            let again = try await cli.run(
                ["credentials", "create", "google", "--name", "Workspace sync", "--key-file", keyFile, "--json"])
            #expect(again.status == 0, "\(again.transcript)")
            struct Answer: Decodable {
                var credential: Credential
                var next: String
            }
            let answer = try JSONDecoder().decode(Answer.self, from: again.stdoutData)
            #expect(answer.credential.id == String(id))
            #expect(answer.next == "\(Self.runCommand) \(id) --scope https://www.googleapis.com/auth/calendar")
            #expect(!GoogleKeyFixture.leaks(again.all))
        }
    }

    @Test func aKeyFileOtherUsersCanReadIsWarnedAboutAndStillUsed() async throws {
        try await withCLI { cli, _, client in
            let keyFile = try GoogleKeyFixture.write(GoogleKeyFixture.json(), to: cli.directory, mode: 0o644)
            let output = try await cli.run(["credentials", "create", "google", "--name", "open", "--key-file", keyFile])
            #expect(output.status == 0, "\(output.transcript)")
            #expect(output.stderr.contains(
                "warning: key file \(keyFile) is readable by other users (mode 644): anyone who can read it can act as the service account; run chmod 600 \(keyFile)"),
                "\(output.stderr)")
            #expect(try await client.listCredentials(provider: .google).data.contains { $0.name == "open" })
        }
    }

    struct BadFile: Sendable, CustomTestStringConvertible {
        var name: String
        var fileName: String = "sa.json"
        var make: @Sendable (String) throws -> Data
        var says: String
        var testDescription: String { name }
    }

    static let corpus: [BadFile] = [
        BadFile(
            name: "P12 file", fileName: "sa.p12", make: { try GoogleKeyFixture.p12(in: $0) },
            says: "is a PKCS#12 (.p12) key, the legacy binary format Nylas does not take: create a JSON key instead"),
        BadFile(
            name: "truncated PEM",
            make: { _ in GoogleKeyFixture.json { $0["private_key"] = String(GoogleKeyFixture.pem.prefix(900)) } },
            says: "private_key is cut short (no -----END PRIVATE KEY----- line): the file was truncated or edited"),
        BadFile(
            name: "mangled PEM",
            make: { _ in
                GoogleKeyFixture.json { $0["private_key"] = "-----BEGIN PRIVATE KEY-----\nnot*base64*at*all\n-----END PRIVATE KEY-----\n" }
            },
            says: "private_key's base64 data is damaged"),
        BadFile(
            name: "OAuth client JSON",
            make: { _ in try JSONSerialization.data(withJSONObject: ["installed": ["client_id": "1.apps.googleusercontent.com"]]) },
            says: "is an OAuth client file (its \"installed\" client id and secret), not a service-account key"),
        BadFile(
            name: "missing fields",
            make: { _ in GoogleKeyFixture.json { $0["private_key_id"] = nil; $0["private_key"] = nil } },
            says: "is missing private_key_id, private_key"),
        BadFile(
            name: "not JSON", make: { _ in Data("service_account = yes\n".utf8) },
            says: "is not valid JSON: something that is not JSON at line 1, column 1"),
        BadFile(
            name: "a person's address",
            make: { _ in GoogleKeyFixture.json { $0["client_email"] = "it-admin@acme.example" } },
            says: "client_email \"it-admin@acme.example\" looks like a person's or a group's address"),
    ]

    @Test(arguments: corpus)
    func aBadKeyFileExits2WithItsMessageAndSendsNothing(_ bad: BadFile) async throws {
        try await withCLI { cli, server, _ in
            let keyFile = try GoogleKeyFixture.write(try bad.make(cli.directory), to: cli.directory, name: bad.fileName)
            let output = try await cli.run(["credentials", "create", "google", "--name", "bad", "--key-file", keyFile])
            #expect(output.status == 2, "\(output.transcript)")
            #expect(output.stderr.contains("bulkgrant: key file \(keyFile): "), "\(output.stderr)")
            #expect(output.stderr.contains(bad.says), "\(output.stderr)")
            #expect(output.stdout.isEmpty)
            #expect(!GoogleKeyFixture.leaks(output.all))
            #expect(await server.state.stats().count("POST", "/v3/connectors/{provider}/creds") == 0)
        }
    }

    @Test func aMissingKeyFileExits2NamingIt() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(["credentials", "create", "google", "--name", "n", "--key-file", "nope.json"])
            #expect(output.status == 2)
            #expect(output.stderr.contains("key file nope.json: cannot be opened (No such file or directory): check the path"))
        }
    }

    @Test func anAPIRefusalExits1WithTheRequestIDAndNoKey() async throws {
        try await withCLI({ $0.connectors = [.microsoft] }) { cli, _, _ in
            let keyFile = try GoogleKeyFixture.write(GoogleKeyFixture.json(), to: cli.directory)
            let output = try await cli.run(["credentials", "create", "google", "--name", "n", "--key-file", keyFile])
            #expect(output.status == 1, "\(output.transcript)")
            #expect(output.stderr.contains("HTTP 404"), "\(output.stderr)")
            #expect(namesRequestID(output.stderr))
            #expect(!GoogleKeyFixture.leaks(output.all))
        }
    }
}
