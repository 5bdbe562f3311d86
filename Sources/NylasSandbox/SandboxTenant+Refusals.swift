import Foundation
import NylasAPI

extension SandboxTenant {
    /// What the provider says to a custom authentication of `email`, in the order its checks
    /// run: the app or service account, its key or secret, the delegation or consent, then
    /// the user. Nil: the grant can be made.
    func refusal(
        provider: Provider, email: String, scopes: [String], credentialData: [String: String], now: Double
    ) -> ProviderRefusal? {
        switch provider {
        case .google: return google.refusal(email: email, scopes: scopes, keyID: credentialData["private_key_id"])
        case .microsoft: return microsoft.refusal(email: email, now: now)
        }
    }
}

extension SandboxTenant.GoogleWorkspace {
    func refusal(email: String, scopes: [String], keyID: String?) -> ProviderRefusal? {
        func token(_ code: String, _ text: String, _ status: Int = 400) -> ProviderRefusal {
            ProviderRefusal(source: .tokenEndpoint, code: code, description: text, status: status)
        }
        switch serviceAccount {
        case .deleted: return token("invalid_client", "The OAuth client was not found.", 401)
        case .disabled: return token("disabled_client", "The OAuth client was disabled.", 401)
        case .active: break
        }
        let keyKnown = keyID.map { id in acceptedKeyIDs.map { $0.contains(id) } ?? true } ?? (acceptedKeyIDs == nil)
        if key != .active || !keyKnown { return token("invalid_grant", "Invalid JWT Signature.") }
        if appBlocked { return token("access_denied", "Requested client not authorized.", 403) }
        if let scope = scopes.first(where: { !$0.hasPrefix("https://") && $0 != "openid" && $0 != "email" && $0 != "profile" }) {
            return token("invalid_scope", "Invalid OAuth scope or ID token audience provided: \(scope)")
        }
        if let delegated = delegatedScopes, !Set(scopes).isSubset(of: delegated) {
            return token(
                "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.",
                401)
        }
        switch user(email) {
        case .active: return nil
        case .suspended, .deleted, .unknown: return token("invalid_grant", "Invalid email or User ID")
        case .noService:
            return ProviderRefusal(
                source: .api, code: "failedPrecondition", description: "Mail service not enabled", status: 400)
        }
    }
}

extension SandboxTenant.MicrosoftTenant {
    func refusal(email: String, now: Double) -> ProviderRefusal? {
        func token(_ code: String, _ text: String, _ status: Int = 400) -> ProviderRefusal {
            ProviderRefusal(source: .tokenEndpoint, code: code, description: text, status: status)
        }
        func graph(_ code: String, _ text: String, _ status: Int) -> ProviderRefusal {
            ProviderRefusal(source: .api, code: code, description: text, status: status)
        }
        guard tenantExists else {
            return token("invalid_request", "AADSTS90002: Tenant not found. Check to make sure you have the correct tenant ID.")
        }
        guard appRegistered else {
            return token(
                "unauthorized_client",
                "AADSTS700016: Application was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant.")
        }
        switch secret {
        case .wrong:
            return token("invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.", 401)
        case .expired:
            return token("invalid_client", "AADSTS7000222: The provided client secret keys for app are expired.", 401)
        case .valid: break
        }
        // Before consent, and while it propagates, Microsoft answers as if there were none.
        guard let consentedAt, now >= consentedAt + propagationSeconds else {
            return token(
                "invalid_grant",
                "AADSTS65001: The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.")
        }
        if let permissions, !Self.requiredPermissions.isSubset(of: permissions) {
            return graph("Authorization_RequestDenied", "Insufficient privileges to complete the operation.", 403)
        }
        switch user(email) {
        case .unknown:
            return graph("ErrorInvalidUser", "The requested user '\(email)' is invalid.", 404)
        case .disabled:
            return graph("ErrorAccountDisabled", "The user account which was used to submit this request has been disabled.", 403)
        case .noMailbox, .onPremises:
            return graph("MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.", 404)
        case .licensed: break
        }
        if let allowed = accessPolicyAllows, !allowed.contains(email) {
            return graph(
                "ErrorAccessDenied", "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.", 403)
        }
        return nil
    }
}
