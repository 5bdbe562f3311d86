import NylasAPI

/// A provider's refusal, as Google's token endpoint or Microsoft's identity platform and Graph
/// word it, before Nylas wraps it.
struct ProviderRefusal: Sendable, Hashable {
    enum Source: Sendable, Hashable {
        /// An OAuth token endpoint: `{"error": code, "error_description": text}`.
        case tokenEndpoint
        /// Microsoft Graph (or a Google API): `{"error": {"code": code, "message": text}}`.
        case api
    }

    var source: Source
    /// The provider's own code: `unauthorized_client`, `invalid_client`, `MailboxNotEnabledForRESTAPI`…
    var code: String
    var description: String
    /// The status the provider answered with.
    var status: Int

    /// The provider's payload, as `provider_error` carries it.
    var payload: JSONValue {
        switch source {
        case .tokenEndpoint:
            return .object(["error": .string(code), "error_description": .string(description)])
        case .api:
            return .object(["error": .object(["code": .string(code), "message": .string(description)])])
        }
    }

    /// The refusal wrapped in Nylas's error envelope, the way `envelope` says. Nylas documents
    /// `api.provider_error` (default 504) and `token.exchange_failed` (400) but not which it
    /// uses when, nor where the provider's words go; each variant is one reading.
    func answer(_ envelope: RefusalEnvelope) -> SandboxAnswer {
        let summary = "\(code): \(description)"
        switch envelope {
        case .providerObject:
            return .error(status, type: "api.provider_error", "Provider error", providerError: payload)
        case .gateway:
            return .error(504, type: "api.provider_error", "Provider error: \(code)", providerError: payload)
        case .messageOnly:
            return .error(
                400, type: source == .tokenEndpoint ? "token.exchange_failed" : "api.invalid_request_error", summary)
        case .providerString:
            return .error(status, type: "api.provider_error", "Provider error", providerError: .string(summary))
        }
    }
}

/// How the sandbox wraps a provider's refusal in Nylas's error envelope.
public enum RefusalEnvelope: String, Sendable, Hashable, CaseIterable {
    /// The provider's status, type `api.provider_error`, `provider_error` the provider's JSON.
    case providerObject = "provider-object"
    /// 504 `api.provider_error` (Nylas's documented default), message "Provider error: CODE".
    case gateway
    /// 400 `token.exchange_failed` or `api.invalid_request_error`, the provider's words in the
    /// message only, no `provider_error`.
    case messageOnly = "message-only"
    /// The provider's status, `provider_error` a plain string (as the Python SDK's example shows).
    case providerString = "provider-string"
}
