import Foundation
import Testing
import _CryptoExtras

@testable import Onboarding

@Suite("OnboardingTests Google key file")
struct KeyFileCheckTests {
    @Test func aValidKeyPassesWithEveryStringFieldAsCredentialData() throws {
        let key = try GoogleKeyFile.check(KeyFixture.json(), path: "sa.json", mode: 0o600)
        #expect(key.clientEmail == KeyFixture.clientEmail)
        #expect(key.clientID == "109876543210987654321")
        #expect(key.privateKeyID == "3f1c2d4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d")
        #expect(key.warnings.isEmpty)
        #expect(key.credentialData == KeyFixture.fields().compactMapValues { $0 as? String })
        #expect(key.credentialData["private_key"] == KeyFixture.pem)
        // Interpolating the value by accident shows no key.
        for text in ["\(key)", String(reflecting: key as CustomStringConvertible)] {
            #expect(!text.contains("PRIVATE KEY"))
            #expect(!KeyFixture.bodyLines.contains { text.contains($0) })
        }
    }

    @Test func theTestAssertionIsAnRS256JWTThatVerifiesWithThePublicKey() throws {
        let privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: KeyFixture.pem)
        let issued = Date(timeIntervalSince1970: 1_750_000_000)
        let assertion = try ServiceAccountAssertion(
            key: privateKey, keyID: "kid-1", clientEmail: KeyFixture.clientEmail, issuedAt: issued)
        let parts = try #require(ServiceAccountAssertion.decodeParts(assertion.token))
        #expect(parts.header["alg"] as? String == "RS256")
        #expect(parts.header["typ"] as? String == "JWT")
        #expect(parts.header["kid"] as? String == "kid-1")
        #expect(parts.claims["iss"] as? String == KeyFixture.clientEmail)
        #expect(parts.claims["aud"] as? String == "https://oauth2.googleapis.com/token")
        #expect(parts.claims["scope"] as? String == ServiceAccountAssertion.testScope)
        #expect(parts.claims["iat"] as? Int == 1_750_000_000)
        #expect(parts.claims["exp"] as? Int == 1_750_003_600)
        #expect(!assertion.token.contains("=") && !assertion.token.contains("+") && !assertion.token.contains("/"))

        // The public key as openssl derives it from the PEM, not as swift-crypto does.
        let publicPEM = try KeyFixture.openssl(["pkey", "-pubout"], stdin: Data(KeyFixture.pem.utf8))
        let publicKey = try _RSA.Signing.PublicKey(pemRepresentation: publicPEM)
        #expect(ServiceAccountAssertion.verify(assertion.token, with: publicKey))
        // A changed claim no longer verifies.
        let pieces = assertion.token.split(separator: ".").map(String.init)
        let forged = Base64URL.encode(Data(#"{"iss":"attacker@evil.example"}"#.utf8))
        #expect(!ServiceAccountAssertion.verify([pieces[0], forged, pieces[2]].joined(separator: "."), with: publicKey))
    }

    @Test func opensslItselfVerifiesTheSignature() throws {
        let folder = try KeyFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: KeyFixture.pem)
        let token = try ServiceAccountAssertion(key: privateKey, keyID: "k", clientEmail: KeyFixture.clientEmail).token
        let pieces = token.split(separator: ".").map(String.init)
        try Data("\(pieces[0]).\(pieces[1])".utf8).write(to: URL(fileURLWithPath: folder + "/input"))
        try #require(Base64URL.decode(pieces[2])).write(to: URL(fileURLWithPath: folder + "/signature"))
        try KeyFixture.openssl(["pkey", "-pubout", "-out", folder + "/public.pem"], stdin: Data(KeyFixture.pem.utf8))
        let verdict = try KeyFixture.openssl(
            ["dgst", "-sha256", "-verify", "public.pem", "-signature", "signature", "input"], in: folder)
        #expect(verdict.contains("Verified OK"))
    }

    // MARK: The corpus: each bad file gets its own message, naming the file and what to do.

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var data: @Sendable () throws -> Data
        var code: KeyFileError.Code
        var says: [String]
        var testDescription: String { name }
    }

    static let newKey = "Add key → Create new key → JSON"

    static let corpus: [Case] = [
        Case(name: "PKCS#12 file", data: { try KeyFixture.p12() }, code: .pkcs12, says: ["PKCS#12 (.p12)", "create a JSON key", newKey]),
        Case(
            name: "truncated PEM (no END line)",
            data: { KeyFixture.json { $0["private_key"] = String(KeyFixture.pem.prefix(KeyFixture.pem.count / 2)) } },
            code: .truncatedKey, says: ["private_key is cut short", "-----END PRIVATE KEY-----", "download a new JSON key"]),
        Case(
            name: "truncated PEM body with its END line",
            data: {
                KeyFixture.json {
                    let lines = KeyFixture.pem.split(separator: "\n")
                    $0["private_key"] = (lines.prefix(lines.count / 2) + ["-----END PRIVATE KEY-----"]).joined(separator: "\n") + "\n"
                }
            },
            code: .truncatedKey, says: ["private_key is cut short", "announces", "download a new JSON key"]),
        Case(
            name: "mangled PEM (not base64)",
            data: {
                KeyFixture.json {
                    $0["private_key"] = "-----BEGIN PRIVATE KEY-----\nThis!!is@@not##base64$$at%%all\n-----END PRIVATE KEY-----\n"
                }
            },
            code: .damagedKey, says: ["base64 data is damaged", "download a new JSON key"]),
        Case(
            name: "mangled PEM (base64 of garbage)",
            data: {
                KeyFixture.json {
                    let garbage = Data((0..<600).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }).base64EncodedString(
                        options: .lineLength64Characters)
                    $0["private_key"] = "-----BEGIN PRIVATE KEY-----\n\(garbage)\n-----END PRIVATE KEY-----\n"
                }
            },
            code: .damagedKey, says: ["is not a key", "download a new JSON key"]),
        Case(
            name: "PEM with literal \\n",
            data: { KeyFixture.json { $0["private_key"] = KeyFixture.pem.replacingOccurrences(of: "\n", with: "\\n") } },
            code: .damagedKey, says: ["\\n instead of line breaks"]),
        Case(
            name: "OAuth client JSON (installed)",
            data: {
                try JSONSerialization.data(withJSONObject: [
                    "installed": ["client_id": "1234.apps.googleusercontent.com", "client_secret": "GOCSPX-abc", "redirect_uris": ["http://localhost"]]
                ])
            },
            code: .oauthClient, says: ["OAuth client", "\"installed\"", "not a service-account key", newKey]),
        Case(
            name: "OAuth client JSON (web)",
            data: { try JSONSerialization.data(withJSONObject: ["web": ["client_id": "1234.apps.googleusercontent.com"]]) },
            code: .oauthClient, says: ["OAuth client", "\"web\""]),
        Case(
            name: "missing fields",
            data: { KeyFixture.json { $0["private_key_id"] = nil; $0["client_email"] = "" } },
            code: .missingFields, says: ["is missing private_key_id, client_email", newKey]),
        Case(
            name: "not JSON",
            data: { Data("{\n  \"type\": \"service_account\",\n  \"private_key_id\": oops\n}\n".utf8) },
            code: .notJSON, says: ["is not valid JSON", "line 3, column 21"]),
        Case(
            name: "JSON cut short",
            data: { KeyFixture.json().prefix(200) },
            code: .notJSON, says: ["cut short"]),
        Case(name: "empty file", data: { Data("\n".utf8) }, code: .empty, says: ["is empty", newKey]),
        Case(
            name: "a bare PEM key", data: { Data(KeyFixture.pem.utf8) }, code: .notJSON,
            says: ["bare PEM key, not the JSON key file"]),
        Case(
            name: "gcloud user credentials",
            data: { KeyFixture.json { $0["type"] = "authorized_user" } },
            code: .wrongType, says: ["type is \"authorized_user\"", "gcloud login", "not \"service_account\""]),
        Case(
            name: "a person's address as client_email",
            data: { KeyFixture.json { $0["client_email"] = "admin@acme.example" } },
            code: .notServiceAccountEmail, says: ["\"admin@acme.example\"", "looks like a person's or a group's address"]),
        Case(
            name: "EC key", data: { let ec = try KeyFixture.ecPEM(); return KeyFixture.json { $0["private_key"] = ec } },
            code: .notRSA, says: ["elliptic-curve key, not an RSA key"]),
        Case(
            name: "1024-bit RSA key",
            data: { let short = try KeyFixture.shortRSAPEM(); return KeyFixture.json { $0["private_key"] = short } },
            code: .weakKey, says: ["1024-bit RSA key", "2048 bits"]),
        Case(
            name: "encrypted key",
            data: {
                KeyFixture.json {
                    $0["private_key"] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG\n-----END ENCRYPTED PRIVATE KEY-----\n"
                }
            },
            code: .encryptedKey, says: ["encrypted with a passphrase"]),
        Case(
            name: "a JSON array", data: { Data("[1, 2]".utf8) }, code: .notObject, says: ["not an object"]),
        Case(
            name: "a binary file", data: { Data([0x00, 0xFF, 0x10, 0x80, 0x00, 0x01]) }, code: .binary,
            says: ["binary file, not a JSON key file"]),
    ]

    @Test(arguments: corpus)
    func eachBadKeyFileGetsItsOwnMessage(_ testCase: Case) throws {
        let data = try testCase.data()
        let error = try #require(throws: KeyFileError.self) {
            try GoogleKeyFile.check(data, path: "keys/sa.json", mode: 0o600)
        }
        #expect(error.code == testCase.code, "\(error)")
        #expect(error.description.hasPrefix("key file keys/sa.json: "), "\(error)")
        for fragment in testCase.says {
            #expect(error.description.contains(fragment), "\(fragment) in \(error)")
        }
        // No message quotes the key.
        #expect(!KeyFixture.bodyLines.contains { error.description.contains($0) }, "\(error)")
    }

    @Test func missingFieldsAreNamed() throws {
        let error = try #require(throws: KeyFileError.self) {
            try GoogleKeyFile.check(KeyFixture.json { $0["private_key"] = nil; $0["type"] = nil }, path: "sa.json")
        }
        #expect(error.code == .missingFields)
        #expect(error.fields == ["type", "private_key"])
    }

    @Test func aP12FileIsRecognisedByItsBytesWhateverItsName() throws {
        let error = try #require(throws: KeyFileError.self) {
            try GoogleKeyFile.check(try KeyFixture.p12(), path: "download.json")
        }
        #expect(error.code == .pkcs12)
    }

    @Test(arguments: [
        "sync@my-project.iam.gserviceaccount.com", "my-project@appspot.gserviceaccount.com",
        "123456789-compute@developer.gserviceaccount.com",
    ])
    func serviceAccountAddressesAreAccepted(_ email: String) {
        #expect(GoogleKeyFile.serviceAccountEmailProblem(email) == nil)
    }

    @Test func otherAddressesSayWhatTheyLookLike() throws {
        #expect(try #require(GoogleKeyFile.serviceAccountEmailProblem("not-an-address")).contains("is not an email address"))
        #expect(
            try #require(GoogleKeyFile.serviceAccountEmailProblem("x@weird.gserviceaccount.com"))
                .contains("NAME@PROJECT.iam.gserviceaccount.com"))
    }

    // MARK: Files on disk

    @Test func aKeyFileOtherUsersCanReadGetsAWarningWithTheFix() throws {
        let folder = try KeyFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/sa.json"
        try KeyFixture.json().write(to: URL(fileURLWithPath: path))
        chmod(path, 0o644)
        let open = try GoogleKeyFile.load(path: path)
        #expect(open.warnings.count == 1)
        #expect(open.warnings.first?.contains("key file \(path) is readable by other users (mode 644)") == true)
        #expect(open.warnings.first?.contains("chmod 600 \(path)") == true)
        chmod(path, 0o600)
        #expect(try GoogleKeyFile.load(path: path).warnings.isEmpty)
    }

    @Test func aMissingFileIsNamed() throws {
        let error = try #require(throws: KeyFileError.self) { try GoogleKeyFile.load(path: "/nonexistent/sa.json") }
        #expect(error.code == .unreadable)
        #expect(error.description == "key file /nonexistent/sa.json: cannot be opened (No such file or directory): check the path")
    }
}
