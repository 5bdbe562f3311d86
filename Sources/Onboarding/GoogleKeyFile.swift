import Foundation
import _CryptoExtras

/// A Google service-account JSON key file, checked before it is sent to Nylas: the fields Nylas
/// needs are there, `client_email` is a service account's, and the private key is an RSA key
/// that signs a JWT assertion (built and verified locally, never sent).
///
/// `description` never shows the key; `credentialData` holds it and must go nowhere but the
/// body of `POST /v3/connectors/google/creds`.
public struct GoogleKeyFile: Sendable, CustomStringConvertible {
    public let path: String
    public let clientEmail: String
    /// The service account's numeric OAuth client id: what domain-wide delegation is granted to.
    public let clientID: String?
    public let projectID: String?
    public let privateKeyID: String
    /// Every string field of the file, as Nylas takes them in `credential_data`. Secret.
    public let credentialData: [String: String]
    /// Problems that do not stop the key from working (a file other users can read).
    public let warnings: [String]

    /// The fields Nylas requires (besides `type`, which must be `service_account`).
    public static let requiredFields = ["type", "private_key_id", "private_key", "client_email"]

    /// Where a new key comes from, for the messages.
    static let newKeyHint =
        "in the Google Cloud console open IAM & Admin → Service accounts → your service account → Keys → Add key → Create new key → JSON, and pass that file"

    public var description: String { "GoogleKeyFile(\(path), client_email: \(clientEmail))" }

    /// Reads and checks the file at `path`.
    /// - Parameter now: the time of the test assertion's `iat`.
    public static func load(path: String, now: Date = Date()) throws -> GoogleKeyFile {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            throw KeyFileError(code: .unreadable, path: path, message: "cannot be opened (\(reason)): check the path")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw KeyFileError(code: .unreadable, path: path, message: "is not a regular file: pass the JSON key file itself")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KeyFileError(
                code: .unreadable, path: path, message: "cannot be read: check its permissions (run bulkgrant as its owner)")
        }
        return try check(data, path: path, mode: info.st_mode & 0o777, now: now)
    }

    /// Checks the contents of a key file.
    /// - Parameters:
    ///   - path: the file's name, for the messages.
    ///   - mode: its permission bits, when known, for the warning about other users.
    public static func check(_ data: Data, path: String, mode: mode_t? = nil, now: Date = Date()) throws -> GoogleKeyFile {
        let object = try KeyFileJSON.object(data, path: path)
        if let kind = ["installed", "web"].first(where: { object[$0] is [String: Any] }) {
            throw KeyFileError(
                code: .oauthClient, path: path,
                message: "is an OAuth client file (its \"\(kind)\" client id and secret), not a service-account key: \(newKeyHint)")
        }
        if let type = object["type"] as? String, !type.isEmpty, type != "service_account" {
            throw KeyFileError(code: .wrongType, path: path, message: wrongTypeMessage(type))
        }
        let missing = requiredFields.filter { ((object[$0] as? String) ?? "").isEmpty }
        guard missing.isEmpty else {
            throw KeyFileError(
                code: .missingFields, path: path,
                message: "is missing \(missing.joined(separator: ", ")) (a key from the Cloud console has them all): \(newKeyHint)",
                fields: missing)
        }
        // The guard above made these non-empty strings.
        let clientEmail = object["client_email"] as? String ?? ""
        let privateKeyID = object["private_key_id"] as? String ?? ""
        let pem = object["private_key"] as? String ?? ""
        if let problem = serviceAccountEmailProblem(clientEmail) {
            throw KeyFileError(code: .notServiceAccountEmail, path: path, message: problem)
        }
        let key = try PrivateKeyPEM.parse(pem, path: path)
        let assertion = try? ServiceAccountAssertion(key: key, keyID: privateKeyID, clientEmail: clientEmail, issuedAt: now)
        guard let assertion, ServiceAccountAssertion.verify(assertion.token, with: key.publicKey) else {
            throw KeyFileError(
                code: .damagedKey, path: path,
                message: "private_key was read but a test JWT signed with it does not verify: the key is damaged; download a new JSON key")
        }
        var fields: [String: String] = [:]
        for (name, value) in object {
            if let text = value as? String { fields[name] = text }
        }
        return GoogleKeyFile(
            path: path, clientEmail: clientEmail, clientID: object["client_id"] as? String,
            projectID: object["project_id"] as? String, privateKeyID: privateKeyID, credentialData: fields,
            warnings: mode.flatMap { permissionWarning(path: path, mode: $0) }.map { [$0] } ?? [])
    }

    /// Nil when `email` is a service account's address (`NAME@PROJECT.iam.gserviceaccount.com`, or
    /// the App Engine and Compute defaults), else what it looks like instead.
    static func serviceAccountEmailProblem(_ email: String) -> String? {
        let lower = email.lowercased()
        if lower.wholeMatch(of: /[a-z0-9._%+-]+@[a-z0-9-]+\.iam\.gserviceaccount\.com/) != nil
            || lower.wholeMatch(of: /[a-z0-9._-]+@(appspot|developer)\.gserviceaccount\.com/) != nil
        {
            return nil
        }
        let looks: String
        if !lower.contains("@") {
            looks = "is not an email address"
        } else if lower.hasSuffix(".gserviceaccount.com") {
            looks = "is not in the form NAME@PROJECT.iam.gserviceaccount.com"
        } else {
            looks = "looks like a person's or a group's address, not a service account's (NAME@PROJECT.iam.gserviceaccount.com)"
        }
        return "client_email \(quoted(email)) \(looks): the file was edited or is not a service-account key; \(newKeyHint)"
    }

    private static func wrongTypeMessage(_ type: String) -> String {
        let what: String
        switch type {
        case "authorized_user":
            what = "a person's gcloud login (application default credentials)"
        case "external_account":
            what = "a workload identity federation configuration"
        case "impersonated_service_account":
            what = "an impersonation configuration"
        default:
            what = "not a service-account key"
        }
        return "type is \(quoted(type)), \(what), not \"service_account\": \(newKeyHint)"
    }

    private static func permissionWarning(path: String, mode: mode_t) -> String? {
        guard mode & 0o077 != 0 else { return nil }
        let access = mode & 0o044 != 0 ? "readable" : "accessible"
        return "key file \(path) is \(access) by other users (mode \(String(mode, radix: 8))): anyone who can read it can act as the service account; run chmod 600 \(path)"
    }

    /// A value for a message: short, on one line, in quotes. Only ever used for fields that
    /// are not secret (`type`, `client_email`).
    static func quoted(_ value: String) -> String {
        let flat = value.map { $0.isNewline || $0 == "\t" ? " " : String($0) }.joined()
        return "\"" + (flat.count > 60 ? flat.prefix(60) + "…" : flat) + "\""
    }
}
