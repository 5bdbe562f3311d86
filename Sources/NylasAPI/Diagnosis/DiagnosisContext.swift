/// The run's own values that a fix names, so that the admin can paste it as it stands.
public struct DiagnosisContext: Sendable, Hashable {
    public var provider: Provider?
    public var credentialID: String?
    /// The Google scopes this run asks for.
    public var scopes: [String]
    /// The service account's OAuth client id (Google), when bulkgrant created the credential.
    public var serviceAccountClientID: String?
    /// The service account's address (Google), when known.
    public var serviceAccountEmail: String?
    /// The Azure app's client id (Microsoft), when known.
    public var azureClientID: String?

    public init(
        provider: Provider? = nil, credentialID: String? = nil, scopes: [String] = [],
        serviceAccountClientID: String? = nil, serviceAccountEmail: String? = nil, azureClientID: String? = nil
    ) {
        self.provider = provider
        self.credentialID = credentialID
        self.scopes = scopes
        self.serviceAccountClientID = serviceAccountClientID
        self.serviceAccountEmail = serviceAccountEmail
        self.azureClientID = azureClientID
    }

    /// "client id 1234" or "the service account's client id (IAM → Service accounts → OAuth 2 client ID)".
    var googleClientID: String {
        serviceAccountClientID.map { "client ID \($0)" }
            ?? "the service account's client ID\(serviceAccountEmail.map { " (of \($0))" } ?? "") (Google Cloud console → IAM & Admin → Service accounts → OAuth 2 client ID)"
    }

    var scopeList: String {
        scopes.isEmpty ? "the scopes you pass with --scope" : scopes.joined(separator: ",")
    }

    var credential: String { credentialID ?? "ID" }

    /// The command that makes a new admin-consent link for this credential.
    var consentCommand: String {
        "bulkgrant consent url --credential-id \(credential) --client-id NYLAS_CLIENT_ID --redirect-uri URI"
    }
}
