import Foundation
import Logging
import NylasAPI
import NylasSandbox

/// A logger that prints nothing, so test output stays readable.
public let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// Credentials every sandbox of these tests starts with.
///
/// Shared by NylasAPITests and NylasSandboxTests (a library target, since test targets cannot
/// import each other).
public enum Seed {
    public static let google = "cred-google"
    public static let microsoft = "cred-microsoft"
    public static let scopes = ["https://www.googleapis.com/auth/calendar"]

    public static var credentials: [SandboxConfiguration.SeedCredential] {
        [
            .init(provider: .google, id: google, name: "seeded google"),
            .init(provider: .microsoft, id: microsoft, name: "seeded microsoft"),
        ]
    }
}

/// A sandbox configuration with the seeded credentials and a rate limit high enough that no
/// test meets it unless it asks to.
public func sandboxConfiguration(_ change: (inout SandboxConfiguration) -> Void = { _ in }) -> SandboxConfiguration {
    var configuration = SandboxConfiguration()
    configuration.apiKey = "test-key-\(UUID().uuidString)"
    configuration.rateLimit = 10_000
    configuration.seedCredentials = Seed.credentials
    configuration.randomSeed = 42
    change(&configuration)
    return configuration
}

/// Starts a real sandbox on an ephemeral loopback port, builds a real `NylasClient` for it,
/// runs `body`, and always shuts both down.
///
/// - Parameters:
///   - apiKey: the key the client sends; the sandbox's own key when nil.
///   - requestTimeout: the client's request timeout in seconds: generous, since a loaded machine
///     must not turn a slow answer into a failure; a test of timeouts passes its own.
///   - client: changes the client's settings (a proxy, the trust) once the sandbox is up.
public func withSandbox<T>(
    _ configuration: SandboxConfiguration = sandboxConfiguration(),
    apiKey: String? = nil,
    requestTimeout: Double = 30,
    client change: (inout NylasClientConfiguration) throws -> Void = { _ in },
    _ body: (SandboxServer, NylasClient) async throws -> T
) async throws -> T {
    let server = try await SandboxServer.start(configuration, logger: quietLogger)
    var clientConfiguration: NylasClientConfiguration
    do {
        clientConfiguration = NylasClientConfiguration(
            endpoint: try APIEndpoint(server.baseURI), apiKey: APIKey(apiKey ?? configuration.apiKey))
        clientConfiguration.requestTimeout = requestTimeout
        // Generous: on a loaded machine a loopback connect can wait; a refused one still fails at once.
        clientConfiguration.connectTimeout = 20
        try change(&clientConfiguration)
    } catch {
        await server.stop()
        throw error
    }
    let client = NylasClient(configuration: clientConfiguration, logger: quietLogger)
    do {
        let result = try await body(server, client)
        try await client.shutdown()
        await server.stop()
        return result
    } catch {
        try? await client.shutdown()
        await server.stop()
        throw error
    }
}

extension NylasClient {
    /// A Google bulk-auth call with the seeded credential.
    public func authenticateGoogle(_ email: String, scopes: [String] = Seed.scopes) async throws -> ItemResponse<Grant> {
        try await customAuthentication(
            .bulk(provider: .google, credentialID: Seed.google, email: email, scopes: scopes))
    }
}

/// Fake but well-formed service-account key fields.
public func serviceAccountData(keyID: String = "0123456789abcdef") -> [String: String] {
    [
        "type": "service_account",
        "project_id": "bulkgrant-tests",
        "private_key_id": keyID,
        "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
        "client_email": "bulkgrant@bulkgrant-tests.iam.gserviceaccount.com",
        "client_id": "109876543210987654321",
    ]
}
