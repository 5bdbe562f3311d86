import Foundation

/// What an `adminconsent` credential holds: the Azure app's client id and secret and the
/// tenant, checked before they are sent to Nylas.
///
/// The secret comes from a file or `NYLAS_MS_CLIENT_SECRET`, never from a flag value, which
/// `ps` and shell history would show. `description` never shows it.
public struct MicrosoftCredentialSettings: Sendable, CustomStringConvertible {
    public static let secretVariable = "NYLAS_MS_CLIENT_SECRET"

    /// The Application (client) id, a GUID, lower-cased.
    public let clientID: String
    /// `common`, a tenant id (GUID) or a tenant domain such as `contoso.onmicrosoft.com`.
    public let tenant: String
    /// The client secret's value. Secret.
    public let clientSecret: String
    /// Problems that may still work (a secret that looks like the secret's id).
    public let warnings: [String]

    public var description: String { "MicrosoftCredentialSettings(client_id: \(clientID), tenant: \(tenant))" }

    /// `credential_data` of `POST /v3/connectors/microsoft/creds`. Secret.
    public var credentialData: [String: String] {
        ["client_id": clientID, "client_secret": clientSecret, "tenant": tenant]
    }

    /// Checks the client id and tenant, and reads the secret from `secretFile`, else from
    /// `NYLAS_MS_CLIENT_SECRET` in `environment`.
    public init(
        clientID: String, tenant: String, secretFile: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        self.clientID = try Self.checkClientID(clientID)
        self.tenant = try Self.checkTenant(tenant)
        self.clientSecret = try Self.loadSecret(file: secretFile, environment: environment)
        warnings =
            Self.isGUID(clientSecret)
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
