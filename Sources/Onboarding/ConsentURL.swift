import Foundation

/// The Microsoft admin-consent URL a global administrator opens in a browser (step 2 of Nylas's
/// Microsoft bulk-authentication flow): `GET {api}/v3/connect/auth?provider=microsoft&
/// redirect_uri&response_type=adminconsent&state&credential_id&client_id[&scope]`.
///
/// Built locally: no API key is needed or sent.
public struct ConsentURL: Sendable, Hashable {
    /// Tenants that are not one organisation: Microsoft accepts scopes in an admin-consent
    /// request only for a specific tenant.
    public static let multiTenantNames: Set<String> = ["common", "organizations", "consumers"]

    public let apiBaseURI: String
    public let credentialID: String
    public let clientID: String
    public let redirectURI: ConsentRedirectURI
    public let scopes: [String]
    public let state: String
    public let tenant: String?

    /// Checks every part and refuses what Nylas or Microsoft would refuse later.
    /// - Parameters:
    ///   - apiBaseURI: the API host (region or `--api-uri`), without a trailing slash.
    ///   - state: nil for a fresh random one.
    ///   - tenant: the Azure tenant (id or domain) the credential was made for; required with scopes.
    public init(
        apiBaseURI: String, credentialID: String, clientID: String, redirectURI: String, scopes: [String] = [],
        state: String? = nil, tenant: String? = nil
    ) throws {
        let credential = credentialID.trimmingCharacters(in: .whitespaces)
        let client = clientID.trimmingCharacters(in: .whitespaces)
        guard !credential.isEmpty else {
            throw ConsentError(code: .missingValue, message: "--credential-id must not be empty: give the adminconsent credential's id")
        }
        guard !client.isEmpty else {
            throw ConsentError(code: .missingValue, message: "--client-id must not be empty: give your Nylas application's client id")
        }
        let scopes = scopes.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let tenant = tenant?.trimmingCharacters(in: .whitespaces)
        if let tenant, tenant.isEmpty || tenant.contains(where: \.isWhitespace) {
            throw ConsentError(
                code: .missingValue, message: "--tenant must be a tenant id or domain (no spaces), or common")
        }
        if !scopes.isEmpty {
            guard let tenant else {
                throw ConsentError(
                    code: .scopeNeedsTenant,
                    message: "--scope needs --tenant with your organisation's tenant id or domain: Microsoft accepts scopes in an admin-consent request only for a specific tenant. Leave out --scope to consent to the Azure app's configured permissions")
            }
            guard !Self.multiTenantNames.contains(tenant.lowercased()) else {
                throw ConsentError(
                    code: .scopeNeedsTenant,
                    message: "--scope cannot be used with --tenant \(tenant): Microsoft accepts scopes in an admin-consent request only for a specific tenant. Give the tenant id or domain, or leave out --scope")
            }
        }
        if let state { try ConsentState.validate(state) }
        self.apiBaseURI = apiBaseURI.hasSuffix("/") ? String(apiBaseURI.dropLast()) : apiBaseURI
        self.credentialID = credential
        self.clientID = client
        self.redirectURI = try ConsentRedirectURI(redirectURI)
        self.scopes = scopes
        self.state = state ?? ConsentState.random()
        self.tenant = tenant
    }

    /// The URL, each value percent-encoded so that only RFC 3986 unreserved characters stay
    /// as they are (a `&`, `=`, `+` or space in a value cannot change the query).
    public var url: String {
        var items: [(String, String)] = [
            ("provider", "microsoft"), ("redirect_uri", redirectURI.text), ("response_type", "adminconsent"),
            ("state", state), ("credential_id", credentialID), ("client_id", clientID),
        ]
        // Space-delimited, as Nylas's `scope` parameter is documented.
        if !scopes.isEmpty { items.append(("scope", scopes.joined(separator: " "))) }
        let query = items.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        return apiBaseURI + "/v3/connect/auth?" + query
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes everything but the unreserved characters.
    public static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}
