/// One row of the catalogue: which answers it recognises and what it says of them.
struct CatalogueRule: Sendable {
    var cause: String
    var reach: Diagnosis.Reach
    /// The provider whose codes these are; nil: any (Nylas's own answers).
    var provider: Provider?
    var stopsAtOnce = false
    var matches: @Sendable (Evidence) -> Bool
    var text: @Sendable (DiagnosisContext) -> (meaning: String, fix: String)

    func applies(to evidence: Evidence, provider known: Provider?) -> Bool {
        if let provider, let known, provider != known { return false }
        return matches(evidence)
    }

    func diagnosis(_ context: DiagnosisContext) -> Diagnosis {
        let (meaning, fix) = text(context)
        return Diagnosis(
            cause: cause, reach: reach, retry: .never, meaning: meaning, fix: fix, recognised: true,
            stopsAtOnce: stopsAtOnce)
    }
}

extension FailureCatalogue {
    /// The rows, most specific first: Microsoft's AADSTS codes before the OAuth error names they
    /// travel with (`invalid_client`), the providers before Nylas's own refusals.
    static let rules: [CatalogueRule] = microsoft + google + nylas

    static let microsoft: [CatalogueRule] = [
        CatalogueRule(cause: "microsoft.consent_missing", reach: .credential, provider: .microsoft, matches: { $0.has("aadsts65001") }) {
            ("the tenant's administrator has not consented to the app (AADSTS65001), or consented less than 5 minutes ago and Microsoft has not caught up yet",
             "have a Global Administrator of the tenant approve the link from `\($0.consentCommand)`; `bulkgrant consent listen` records the approval and runs wait 5 minutes after it")
        },
        CatalogueRule(cause: "microsoft.app_not_in_tenant", reach: .credential, provider: .microsoft, matches: { $0.has("aadsts700016") }) {
            ("the Azure app\($0.azureClientID.map { " \($0)" } ?? "") is not found in the tenant (AADSTS700016): the credential names another tenant, or nobody consented there",
             "check the credential's tenant with `bulkgrant credentials list --provider microsoft`, then have that tenant's administrator approve `\($0.consentCommand)`")
        },
        CatalogueRule(cause: "microsoft.secret_invalid", reach: .credential, provider: .microsoft, matches: { $0.has("aadsts7000215") }) {
            _ in
            ("the client secret is wrong (AADSTS7000215): often the secret's ID was given instead of its Value",
             "in Entra ID → App registrations → your app → Certificates & secrets, create a secret and copy its Value (not the Secret ID) into a file, then create the credential again with `bulkgrant credentials create microsoft --client-secret-file FILE`")
        },
        CatalogueRule(cause: "microsoft.secret_expired", reach: .credential, provider: .microsoft, matches: { $0.has("aadsts7000222") }) {
            _ in
            ("the Azure app's client secret has expired (AADSTS7000222)",
             "create a new client secret in Entra ID → App registrations → your app → Certificates & secrets, then create the credential again with `bulkgrant credentials create microsoft --client-secret-file FILE`")
        },
        CatalogueRule(cause: "microsoft.tenant_not_found", reach: .credential, provider: .microsoft, matches: { $0.has("aadsts90002") }) {
            _ in
            ("Microsoft knows no tenant by the credential's tenant id or domain (AADSTS90002)",
             "create the credential again with the tenant's id (Entra ID → Overview → Tenant ID) or its verified domain")
        },
        CatalogueRule(cause: "microsoft.access_policy", reach: .user, provider: .microsoft, matches: { $0.hasAny(["[raop]", "accesspolicy", "access policy"]) }) {
            ("an Exchange Online application access policy keeps the app from this mailbox",
             "add the user to the policy's group, or check it with `Test-ApplicationAccessPolicy -AppId \($0.azureClientID ?? "APP_ID") -Identity USER` in Exchange Online PowerShell")
        },
        CatalogueRule(cause: "microsoft.mailbox_not_enabled", reach: .user, provider: .microsoft, matches: { $0.hasAny(["mailboxnotenabledforrestapi", "mailboxnotsupportedforrestapi"]) }) {
            _ in
            ("the user has no Exchange Online mailbox: no licence, inactive, soft-deleted, or kept on-premises",
             "assign a licence with Exchange Online in the Microsoft 365 admin center (an on-premises mailbox cannot be granted), or leave the user out of the export")
        },
        CatalogueRule(cause: "microsoft.account_disabled", reach: .user, provider: .microsoft, matches: { $0.has("erroraccountdisabled") }) {
            _ in
            ("the user's account or mailbox is disabled",
             "enable the account in the Microsoft 365 admin center, or leave the user out of the export")
        },
        CatalogueRule(cause: "microsoft.user_not_found", reach: .user, provider: .microsoft, matches: { $0.hasAny(["request_resourcenotfound", "errorinvaliduser", "aadsts50020", "aadsts50034"]) }) {
            _ in
            ("the tenant has no user with this address",
             "check the address in the Microsoft 365 admin center → Users; leave departed users out of the export")
        },
        CatalogueRule(cause: "microsoft.permission_missing", reach: .credential, provider: .microsoft, matches: { $0.hasAny(["erroraccessdenied", "authorization_requestdenied"]) }) {
            ("the Azure app lacks a Microsoft Graph application permission, or its admin consent",
             "in Entra ID → App registrations → your app → API permissions, add the application permissions the Nylas connector uses and grant admin consent; or have the administrator approve `\($0.consentCommand)` again")
        },
    ]

    static let google: [CatalogueRule] = [
        CatalogueRule(cause: "google.delegation_missing", reach: .credential, provider: .google, matches: { $0.has("unauthorized_client") }) {
            ("the Workspace has not granted domain-wide delegation to the service account for these scopes (unauthorized_client)",
             "in the Google Admin console → Security → Access and data control → API controls → Manage domain-wide delegation, add (or edit) \($0.googleClientID) with the OAuth scopes \($0.scopeList)")
        },
        CatalogueRule(cause: "google.key_invalid", reach: .credential, provider: .google, matches: { $0.has("invalid jwt signature") }) {
            ("Google refused the key's signature (invalid_grant: Invalid JWT Signature): the key was deleted or disabled in Google Cloud",
             "create a new JSON key for \($0.serviceAccountEmail ?? "the service account") (Google Cloud console → IAM & Admin → Service accounts → Keys → Add key) and register it with `bulkgrant credentials create google --name NAME --key-file NEW.json`")
        },
        CatalogueRule(cause: "google.user_not_found", reach: .user, provider: .google, matches: { $0.has("invalid_grant") && $0.hasAny(["invalid email or user id", "not a valid email"]) }) {
            _ in
            ("no active Workspace user has this address: never existed, deleted, suspended, or in a domain the Workspace does not own (invalid_grant: Invalid email or User ID)",
             "check the address in the Google Admin console → Directory → Users; leave suspended and departed users out of the export")
        },
        CatalogueRule(cause: "google.service_account_deleted", reach: .credential, provider: .google, matches: { $0.has("invalid_client") }) {
            ("Google knows no such service account (invalid_client): it was deleted, or the key belongs to another project",
             "check \($0.serviceAccountEmail ?? "the service account") in Google Cloud console → IAM & Admin → Service accounts; create a key for an existing one and register it with `bulkgrant credentials create google`")
        },
        CatalogueRule(cause: "google.service_account_disabled", reach: .credential, provider: .google, matches: { $0.has("disabled_client") }) {
            ("the service account is disabled in Google Cloud (disabled_client)",
             "enable \($0.serviceAccountEmail ?? "the service account") in Google Cloud console → IAM & Admin → Service accounts")
        },
        CatalogueRule(cause: "google.invalid_scope", reach: .credential, provider: .google, matches: { $0.has("invalid_scope") }) {
            ("Google does not know one of the scopes asked for (invalid_scope): \($0.scopeList)",
             "pass each --scope as a full URL, e.g. https://www.googleapis.com/auth/calendar, and delegate exactly those")
        },
        CatalogueRule(cause: "google.access_denied", reach: .credential, provider: .google, matches: { $0.has("access_denied") }) {
            ("the Workspace refused the service account's app (access_denied): it is blocked or restricted in API controls",
             "in the Google Admin console → Security → API controls → App access control, mark the app of \($0.googleClientID) as trusted")
        },
        CatalogueRule(cause: "google.service_disabled", reach: .user, provider: .google, matches: { $0.hasAny(["service not enabled", "failedprecondition", "not signed up for google calendar", "service is not enabled"]) }) {
            _ in
            ("the user has no Gmail or Calendar service: no licence for it, or the service is off for their organisational unit",
             "in the Google Admin console → Apps → Google Workspace → Gmail or Calendar → Service status, turn it on for the user's unit, or assign a licence")
        },
    ]

    static let nylas: [CatalogueRule] = [
        CatalogueRule(
            cause: "nylas.api_key_rejected", reach: .application, provider: nil, stopsAtOnce: true,
            matches: { ["token.unauthorized_access", "api.authentication_error"].contains($0.type) || ($0.status == 401 && $0.type != "api.provider_error") }
        ) { _ in
            ("Nylas refused the API key: it belongs to another application or region",
             "check NYLAS_API_KEY (or --api-key-file) in the Nylas dashboard, and --region: a key used in the wrong region answers 401")
        },
        CatalogueRule(
            cause: "nylas.credential_wrong_type", reach: .credential, provider: nil, stopsAtOnce: true,
            matches: { $0.has("credential") && $0.has("of type") }
        ) {
            ("credential \($0.credential) is not a bulk-authentication credential of this provider",
             "list the application's credentials with `bulkgrant credentials list --provider \($0.provider?.rawValue ?? "PROVIDER")` and pass one of type \($0.provider?.bulkCredentialType.rawValue ?? "serviceaccount or adminconsent")")
        },
        CatalogueRule(
            cause: "nylas.credential_not_found", reach: .credential, provider: nil, stopsAtOnce: true,
            matches: { $0.has("credential") && $0.hasAny(["not found", "does not exist"]) }
        ) {
            ("Nylas has no credential \($0.credential) for this provider",
             "list the application's credentials with `bulkgrant credentials list --provider \($0.provider?.rawValue ?? "PROVIDER")`, or create one with `bulkgrant credentials create`")
        },
        CatalogueRule(
            cause: "nylas.connector_exists", reach: .application, provider: nil, stopsAtOnce: true,
            matches: { $0.has("connector") && $0.has("already exists") }
        ) {
            ("the application already has a \($0.provider?.rawValue ?? "") connector",
             "see it with `bulkgrant connectors show \($0.provider?.rawValue ?? "PROVIDER")`; bulkgrant does not change or delete connectors: do that in the Nylas dashboard")
        },
        CatalogueRule(
            cause: "nylas.connector_missing", reach: .application, provider: nil, stopsAtOnce: true,
            matches: { $0.has("connector") && $0.hasAny(["not found", "does not exist", "no connector"]) }
        ) {
            ("the Nylas application has no \($0.provider?.rawValue ?? "") connector",
             "create it with `bulkgrant connectors create \($0.provider?.rawValue ?? "PROVIDER")`")
        },
    ]
}
