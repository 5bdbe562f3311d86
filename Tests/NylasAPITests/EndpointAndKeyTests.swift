import Foundation
import NylasAPI
import SandboxTestSupport
import Testing

@Suite("APIEndpoint")
struct APIEndpointTests {
    @Test(arguments: ["http://api.us.nylas.com", "http://10.0.0.5:8080", "http://127.0.0.1.evil.example", "HTTP://example.com"])
    func plainHTTPToANonLoopbackHostIsRefused(uri: String) {
        #expect {
            try APIEndpoint(uri)
        } throws: { error in
            (error as? NylasError)?.code == .insecureURL
        }
    }

    @Test(arguments: ["http://127.0.0.1:8080", "http://localhost:1234", "http://127.0.0.1", "http://[::1]:9000"])
    func plainHTTPToLoopbackIsAccepted(uri: String) throws {
        let endpoint = try APIEndpoint(uri)
        #expect(endpoint.isLoopback)
        #expect(endpoint.identity == "loopback-sandbox")
    }

    @Test func httpsIsAcceptedAndTrailingSlashesDropped() throws {
        let endpoint = try APIEndpoint("https://api.eu.nylas.com//")
        #expect(endpoint.baseURI == "https://api.eu.nylas.com")
        #expect(endpoint.host == "api.eu.nylas.com")
        #expect(!endpoint.isLoopback)
        #expect(endpoint.description == "https://api.eu.nylas.com")
    }

    @Test(arguments: ["", "not a url", "api.us.nylas.com", "ftp://api.us.nylas.com", "https://", "mailto:ada@example.com"])
    func garbageIsRefused(uri: String) {
        #expect {
            try APIEndpoint(uri)
        } throws: { error in
            (error as? NylasError)?.code == .invalidConfiguration
        }
    }

    @Test func identityFoldsLoopbackPortsButNotRegions() throws {
        let a = try APIEndpoint("http://127.0.0.1:50001")
        let b = try APIEndpoint("http://localhost:50002/")
        #expect(a.identity == b.identity)
        #expect(a.baseURI != b.baseURI)
        #expect(APIEndpoint.us.identity == "https://api.us.nylas.com")
        #expect(APIEndpoint.us.identity != APIEndpoint.eu.identity)
        #expect(try APIEndpoint("HTTPS://API.US.NYLAS.COM").identity == APIEndpoint.us.identity)
        #expect(APIEndpoint.us.identity != a.identity)
    }

    @Test func regionsByName() {
        #expect(APIEndpoint.region("us") == .us)
        #expect(APIEndpoint.region("EU") == .eu)
        #expect(APIEndpoint.region("apac") == nil)
    }
}

@Suite("APIKey")
struct APIKeyTests {
    private let secret = "nyk_v0_\(UUID().uuidString)"

    @Test func descriptionsNeverContainTheSecret() {
        let key = APIKey(secret)
        #expect(!key.description.contains(secret))
        #expect(!key.debugDescription.contains(secret))
        #expect(!"\(key)".contains(secret))
        #expect(!String(reflecting: key).contains(secret))
        #expect(!"\([key])".contains(secret))
        #expect(key.secret == secret)
    }

    @Test func loadsFromTheEnvironmentTrimmed() throws {
        let key = try APIKey.load(file: nil, environment: ["NYLAS_API_KEY": "  \(secret)\n"])
        #expect(key.secret == secret)
    }

    @Test func aFileWinsOverTheEnvironment() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)").path
        try Data("\(secret)\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = try APIKey.load(file: path, environment: ["NYLAS_API_KEY": "from-env"])
        #expect(key.secret == secret)
    }

    @Test func missingKeyMissingFileAndEmptyFileAreMissingAPIKey() throws {
        for attempt in [
            { try APIKey.load(file: nil, environment: [:]) },
            { try APIKey.load(file: nil, environment: ["NYLAS_API_KEY": "   "]) },
            { try APIKey.load(file: "/nonexistent/\(UUID().uuidString)", environment: [:]) },
        ] {
            #expect {
                _ = try attempt()
            } throws: { error in
                (error as? NylasError)?.code == .missingAPIKey
            }
        }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)").path
        try Data("\n".utf8).write(to: URL(fileURLWithPath: empty))
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let error = try #require(throws: NylasError.self) { try APIKey.load(file: empty, environment: [:]) }
        #expect(error.code == .missingAPIKey)
        #expect(error.message.contains("empty"))
    }
}

@Suite("Model coding")
struct ModelCodingTests {
    @Test func credentialRequestDescriptionHidesTheData() {
        let request = CreateCredentialRequest(
            name: "sa", credentialType: .serviceAccount, credentialData: ["private_key": "-----BEGIN PRIVATE KEY-----SECRET"])
        #expect(!request.description.contains("SECRET"))
        #expect(request.description.contains("private_key"))
    }

    @Test func grantDecodesUnknownFieldsAndMissingOptionals() throws {
        let json = """
            {"id":"g1","provider":"google","scope":[],"created_at":1,"email_aliases":["x@y"],"workspace_id":"w"}
            """
        let grant = try JSONDecoder().decode(Grant.self, from: Data(json.utf8))
        #expect(grant.id == "g1")
        #expect(grant.grantStatus == nil)
        #expect(grant.isValid)
    }

    @Test func credentialWithoutTypeDecodes() throws {
        // The spec's CredentialObject has no credential_type; Nylas may leave it out.
        let json = #"{"id":"c1","name":"n","created_at":1,"updated_at":2}"#
        let credential = try JSONDecoder().decode(Credential.self, from: Data(json.utf8))
        #expect(credential.credentialType == nil)
    }
}
