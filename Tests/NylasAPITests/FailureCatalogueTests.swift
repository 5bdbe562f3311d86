import NylasAPI
import Testing

/// The catalogue on its own: pure, no network. Where the providers' codes are recognised, and
/// what the generic status rules say of everything else.
@Suite("failure catalogue")
struct FailureCatalogueTests {
    static func error(
        status: Int? = 400, type: String? = "api.provider_error", message: String = "Provider error",
        provider: JSONValue? = nil
    ) -> NylasError {
        NylasError(code: .api, call: "POST /v3/connect/custom", status: status, type: type, message: message, providerError: provider)
    }

    static let google = DiagnosisContext(
        provider: .google, credentialID: "cred-1", scopes: ["https://www.googleapis.com/auth/calendar"],
        serviceAccountClientID: "109876543210987654321")

    @Test("a code is recognised in provider_error as an object, as a string, in the message and at 504")
    func codeWherever() {
        let places: [NylasError] = [
            Self.error(provider: .object(["error": .string("unauthorized_client"), "error_description": .string("Client is unauthorized")])),
            Self.error(provider: .string("unauthorized_client: Client is unauthorized")),
            Self.error(type: "token.exchange_failed", message: "unauthorized_client: Client is unauthorized"),
            Self.error(status: 504, message: "Provider error: unauthorized_client"),
        ]
        for error in places {
            let diagnosis = FailureCatalogue.diagnose(error, call: .create, context: Self.google)
            #expect(diagnosis.cause == "google.delegation_missing", "\(error)")
            #expect(diagnosis.reach == .credential)
            #expect(diagnosis.retry == .never, "a recognised cause is permanent even at 504")
            #expect(diagnosis.fix.contains("109876543210987654321"))
            #expect(diagnosis.fix.contains("https://www.googleapis.com/auth/calendar"))
            #expect(diagnosis.fix.contains("domain-wide delegation"))
        }
    }

    @Test("every provider code of the catalogue maps to its cause and reach", arguments: [
        ("unauthorized_client", Provider.google, "google.delegation_missing", Diagnosis.Reach.credential),
        ("invalid_grant: Invalid email or User ID", .google, "google.user_not_found", .user),
        ("invalid_grant: Invalid JWT Signature.", .google, "google.key_invalid", .credential),
        ("invalid_client: The OAuth client was not found.", .google, "google.service_account_deleted", .credential),
        ("disabled_client: The OAuth client was disabled.", .google, "google.service_account_disabled", .credential),
        ("access_denied: Requested client not authorized.", .google, "google.access_denied", .credential),
        ("invalid_scope: Invalid OAuth scope", .google, "google.invalid_scope", .credential),
        ("failedPrecondition: Mail service not enabled", .google, "google.service_disabled", .user),
        ("invalid_grant: AADSTS65001: The user or administrator has not consented", .microsoft, "microsoft.consent_missing", .credential),
        ("unauthorized_client: AADSTS700016: Application was not found", .microsoft, "microsoft.app_not_in_tenant", .credential),
        ("invalid_client: AADSTS7000215: Invalid client secret provided.", .microsoft, "microsoft.secret_invalid", .credential),
        ("invalid_client: AADSTS7000222: The provided client secret keys are expired.", .microsoft, "microsoft.secret_expired", .credential),
        ("invalid_request: AADSTS90002: Tenant not found.", .microsoft, "microsoft.tenant_not_found", .credential),
        ("MailboxNotEnabledForRESTAPI: The mailbox is either inactive", .microsoft, "microsoft.mailbox_not_enabled", .user),
        ("ErrorAccessDenied: Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.", .microsoft, "microsoft.access_policy", .user),
        ("ErrorAccessDenied: Access is denied. Check credentials and try again.", .microsoft, "microsoft.permission_missing", .credential),
        ("Authorization_RequestDenied: Insufficient privileges", .microsoft, "microsoft.permission_missing", .credential),
        ("ErrorInvalidUser: The requested user is invalid.", .microsoft, "microsoft.user_not_found", .user),
        ("Request_ResourceNotFound: Resource does not exist", .microsoft, "microsoft.user_not_found", .user),
        ("ErrorAccountDisabled: The user account has been disabled.", .microsoft, "microsoft.account_disabled", .user),
    ])
    func providerCodes(text: String, provider: Provider, cause: String, reach: Diagnosis.Reach) {
        let diagnosis = FailureCatalogue.diagnose(
            Self.error(provider: .string(text)), call: .create, context: DiagnosisContext(provider: provider))
        #expect(diagnosis.cause == cause)
        #expect(diagnosis.reach == reach)
        #expect(diagnosis.recognised)
        #expect(!diagnosis.fix.isEmpty)
    }

    @Test("Nylas's own refusals stop at once")
    func nylasRefusals() {
        let key = FailureCatalogue.diagnose(Self.error(status: 401, type: "api.authentication_error", message: "Unauthorized"), call: .create)
        #expect(key.cause == "nylas.api_key_rejected" && key.stopsAtOnce && key.reach == .application)
        let credential = FailureCatalogue.diagnose(
            Self.error(status: 404, type: "api.not_found_error", message: "credential cred-x not found for provider google"),
            call: .create, context: Self.google)
        #expect(credential.cause == "nylas.credential_not_found" && credential.stopsAtOnce)
        #expect(credential.fix.contains("bulkgrant credentials list --provider google"))
        let type = FailureCatalogue.diagnose(
            Self.error(type: "api.invalid_request_error", message: "credential c is of type connector; google bulk authentication needs serviceaccount"),
            call: .create, context: Self.google)
        #expect(type.cause == "nylas.credential_wrong_type")
        // A 401 wrapping a provider's refusal is the provider's, not the key's.
        let wrapped = FailureCatalogue.diagnose(
            Self.error(status: 401, provider: .string("invalid_client: AADSTS7000215: Invalid client secret")), call: .create,
            context: DiagnosisContext(provider: .microsoft))
        #expect(wrapped.cause == "microsoft.secret_invalid")
    }

    @Test("unrecognised answers fall back to their status, as before")
    func statusRules() {
        let unknown504 = FailureCatalogue.diagnose(Self.error(status: 504, message: "Provider error: something new"), call: .create)
        #expect(unknown504.cause == "http.504" && unknown504.retry == .lookUpFirst && !unknown504.recognised)
        let lookup503 = FailureCatalogue.diagnose(Self.error(status: 503, type: nil, message: "down"), call: .lookup)
        #expect(lookup503.retry == .backoff)
        let throttled = FailureCatalogue.diagnose(Self.error(status: 429, type: "nylas_rate_limit_exceeded", message: "slow"), call: .create)
        #expect(throttled.retry == .afterRetryAfter)
        let rejected = FailureCatalogue.diagnose(Self.error(status: 400, type: "api.invalid_request_error", message: "odd"), call: .create)
        #expect(rejected.cause == "http.400" && rejected.reach == .user && rejected.retry == .never && !rejected.recognised)
        let cut = NylasError(code: .transport, call: "c", message: "reset", outcomeUnknown: true)
        #expect(FailureCatalogue.diagnose(cut, call: .create).retry == .lookUpFirst)
        #expect(FailureCatalogue.diagnose(cut, call: .lookup).retry == .backoff)
        let refused = NylasError(code: .transport, call: "c", message: "refused", outcomeUnknown: false)
        #expect(FailureCatalogue.diagnose(refused, call: .create).cause == "transport.not_sent")
    }

    @Test("a user's refusal met by a lookup is only worth another try")
    func lookupNeverFailsAUser() {
        let diagnosis = FailureCatalogue.diagnose(
            Self.error(provider: .string("invalid_grant: Invalid email or User ID")), call: .lookup, context: Self.google)
        #expect(diagnosis.reach == .call && diagnosis.retry == .backoff)
    }

    @Test("a Google code in a Microsoft run is not read as Google's")
    func providerScoped() {
        let diagnosis = FailureCatalogue.diagnose(
            Self.error(provider: .string("unauthorized_client: something")), call: .create,
            context: DiagnosisContext(provider: .microsoft))
        #expect(diagnosis.cause != "google.delegation_missing")
    }

    @Test("every catalogue row can be looked up by its id for reports")
    func entries() {
        for row in FailureCatalogue.catalogue {
            #expect(FailureCatalogue.entry(row.cause)?.reach == row.reach)
        }
        #expect(FailureCatalogue.entry("http.400") == nil)
    }

    @Test("redaction replaces a key, not its letters inside other words")
    func redaction() {
        #expect(Redaction.redact("k", in: "SocketAddressError.UnknownHost") == "SocketAddressError.UnknownHost")
        #expect(Redaction.redact("k", in: "key=k; Bearer k.") == "key=[redacted]; Bearer [redacted].")
        let key = "nyk_v0_abcdefghijklmnop"
        #expect(Redaction.redact(key, in: "{\"message\":\"bad key \(key)\"}") == "{\"message\":\"bad key [redacted]\"}")
        // A real key is removed even glued to other text.
        #expect(Redaction.redact(key, in: "id-\(key)-x") == "id-[redacted]-x")
    }
}
