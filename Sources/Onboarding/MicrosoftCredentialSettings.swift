import Crypto
import Foundation

/// What an `adminconsent` credential holds: the Azure app's client id and secret and the
/// tenant, checked before they are sent to Nylas. Without a client id (and so without a
/// secret) the credential holds only the tenant, and Nylas uses the Azure app of the
/// application's Microsoft connector.
///
/// The secret comes from a file or `NYLAS_MS_CLIENT_SECRET`, never from a flag value, which
/// `ps` and shell history would show. `description` never shows it.
public struct MicrosoftCredentialSettings: Sendable, CustomStringConvertible {
    public static let secretVariable = "NYLAS_MS_CLIENT_SECRET"

    /// The Application (client) id, a GUID, lower-cased; nil: the connector's Azure app.
    public let clientID: String?
    /// `common`, a tenant id (GUID) or a tenant domain such as `contoso.onmicrosoft.com`.
    public let tenant: String
    /// The client secret's value, when there is a client id. Secret.
    public let clientSecret: String?
    /// The file the secret was read from; nil when it came from the environment or there is none.
    public let secretFile: String?
    /// Problems that may still work (a secret that looks like the secret's id).
    public let warnings: [String]

    public var description: String {
        "MicrosoftCredentialSettings(client_id: \(clientID ?? "the connector's"), tenant: \(tenant))"
    }

    /// Whether Nylas will use the Azure app of the application's Microsoft connector.
    public var usesConnectorApp: Bool { clientID == nil }

    /// `credential_data` of `POST /v3/connectors/microsoft/creds` (and of a rotation's PATCH,
    /// which replaces it whole). Secret.
    public var credentialData: [String: String] {
        var data = ["tenant": tenant]
        if let clientID, let clientSecret {
            data["client_id"] = clientID
            data["client_secret"] = clientSecret
        }
        return data
    }

    /// `sha256:` and the first 8 hex digits of the secret's SHA-256: enough to tell two secrets
    /// apart, too little to learn anything of one. Nil without a secret.
    public var secretFingerprint: String? { clientSecret.map(Self.fingerprint) }

    static func fingerprint(_ secret: String) -> String {
        "sha256:" + SHA256.hash(data: Data(secret.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// The fingerprint of the secret in `file`, or nil when it cannot be read as one.
    public static func secretFingerprint(file: String) -> String? {
        (try? loadSecret(file: file, environment: [:])).map(fingerprint)
    }

    /// Checks the client id and tenant, and reads the secret from `secretFile`, else from
    /// `NYLAS_MS_CLIENT_SECRET` in `environment`. Without `clientID` no secret may be given:
    /// the credential will use the connector's Azure app.
    public init(
        clientID: String?, tenant: String, secretFile: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        self.tenant = try Self.checkTenant(tenant)
        self.secretFile = clientID == nil ? nil : secretFile
        guard let clientID else {
            if secretFile != nil || environment[Self.secretVariable] != nil {
                let source = secretFile.map { "--client-secret-file \($0)" } ?? "$\(Self.secretVariable)"
                throw CredentialInputError(
                    code: .secretWithoutClientID,
                    message: "a client secret was given (\(source)) but no --client-id: pass the Azure app's --client-id with it, or give neither (unset \(Self.secretVariable)) to use the Microsoft connector's Azure app")
            }
            self.clientID = nil
            self.clientSecret = nil
            warnings = []
            return
        }
        self.clientID = try Self.checkClientID(clientID)
        let secret = try Self.loadSecret(file: secretFile, environment: environment)
        self.clientSecret = secret
        warnings =
            Self.isGUID(secret)
            ? [
                "the client secret looks like a GUID: that is usually the secret's ID, not its Value; in Azure the Value is shown once, when the secret is created (Certificates & secrets → New client secret)"
            ] : []
    }

    static func isGUID(_ text: String) -> Bool {
        text.wholeMatch(of: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/) != nil
    }

    /// The client id, trimmed and lower-cased, or an error saying where to find it.
    public static func checkClientID(_ value: String) throws -> String {
        let id = value.trimmingCharacters(in: .whitespaces)
        guard isGUID(id) else {
            let shape = id.hasSuffix(".apps.googleusercontent.com") ? " (that is a Google OAuth client id)" : ""
            throw CredentialInputError(
                code: .clientID,
                message: "--client-id \(GoogleKeyFile.quoted(id)) is not an Azure application (client) id\(shape): copy the \"Application (client) ID\", a GUID such as 2f70abcd-1234-4f5e-9a8b-0c1d2e3f4a5b, from the Azure portal → Microsoft Entra ID → App registrations → your app → Overview")
        }
        return id.lowercased()
    }

    /// `common`, a tenant id or a tenant domain, trimmed; ids and domains lower-cased.
    public static func checkTenant(_ value: String) throws -> String {
        let tenant = value.trimmingCharacters(in: .whitespaces).lowercased()
        if tenant == "common" || isGUID(tenant) { return tenant }
        if tenant.wholeMatch(of: /([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}/) != nil { return tenant }
        let why: String
        switch tenant {
        case "organizations":
            why = "Nylas takes common (any organisation's admin may consent) or one tenant"
        case "consumers":
            why = "personal Microsoft accounts have no admin to consent for them"
        default:
            why = "it is neither common, a tenant id nor a domain"
        }
        throw CredentialInputError(
            code: .tenant,
            message: "--tenant \(GoogleKeyFile.quoted(value)) cannot be used: \(why); pass common, or the tenant id (the \"Directory (tenant) ID\" GUID on the app's Overview page) or its domain such as contoso.onmicrosoft.com")
    }

    /// The secret, with surrounding whitespace (a trailing newline) trimmed.
    static func loadSecret(file: String?, environment: [String: String]) throws -> String {
        let text: String
        let source: String
        if let file {
            guard FileManager.default.fileExists(atPath: file) else {
                throw CredentialInputError(
                    code: .secretFileUnreadable, message: "the client secret file \(file) does not exist: check the path")
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CredentialInputError(
                    code: .secretFileUnreadable,
                    message: "cannot read the client secret file \(file): check its permissions")
            }
            text = String(decoding: data, as: UTF8.self)
            source = "the client secret file \(file)"
        } else if let value = environment[secretVariable] {
            text = value
            source = "$\(secretVariable)"
        } else {
            throw CredentialInputError(
                code: .noSecret,
                message: "no client secret: pass --client-secret-file FILE or set \(secretVariable) (never as a flag value, which ps and shell history show)")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else {
            throw CredentialInputError(
                code: .secretEmpty,
                message: "\(source) is empty: put the Value of the Azure app's client secret in it (Certificates & secrets)")
        }
        guard !secret.contains(where: \.isNewline) else {
            throw CredentialInputError(
                code: .secretMultiline,
                message: "\(source) holds several lines: it must hold only the client secret's Value, on one line")
        }
        return secret
    }
}
