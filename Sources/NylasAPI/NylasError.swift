import Foundation

/// An error from a Nylas call: an error answer from the API, a body that could not be read,
/// or a transport failure.
///
/// A struct over a private enum (like AsyncHTTPClient's `HTTPClientError`), so that new codes do
/// not break callers that switch on `code`. It never holds the API key: the key is only ever
/// written into the `Authorization` header.
public struct NylasError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case api, unreadableBody, transport, timeout, insecureURL, missingAPIKey, invalidConfiguration
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The API answered with an error status (see `status`, `type`).
        public static let api = Code(.api)
        /// The body was not the JSON the call expects (HTML, empty, truncated).
        public static let unreadableBody = Code(.unreadableBody)
        /// The connection failed or was closed before a full answer arrived.
        public static let transport = Code(.transport)
        /// No answer arrived within the request timeout.
        public static let timeout = Code(.timeout)
        /// Plain `http://` to a host that is not loopback.
        public static let insecureURL = Code(.insecureURL)
        /// No API key was given.
        public static let missingAPIKey = Code(.missingAPIKey)
        /// The base URI or another setting is unusable.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The call, as `METHOD /path` with the path template (no ids, no query).
    public var call: String
    /// HTTP status, when an answer arrived.
    public var status: Int?
    /// Nylas `error.type`, an opaque string.
    public var type: String?
    public var message: String
    public var requestID: String?
    public var providerError: JSONValue?
    /// Seconds to wait, from the `Retry-After` header (seconds or HTTP-date), when present.
    public var retryAfter: Double?
    /// True when the server may have applied the request although no good answer came back:
    /// the connection broke or timed out after the request was sent, or a 5xx arrived.
    public var outcomeUnknown: Bool

    public init(
        code: Code, call: String, status: Int? = nil, type: String? = nil, message: String,
        requestID: String? = nil, providerError: JSONValue? = nil, retryAfter: Double? = nil,
        outcomeUnknown: Bool = false
    ) {
        self.code = code
        self.call = call
        self.status = status
        self.type = type
        self.message = message
        self.requestID = requestID
        self.providerError = providerError
        self.retryAfter = retryAfter
        self.outcomeUnknown = outcomeUnknown
    }

    public var description: String {
        var text = call + ": "
        if let status { text += "HTTP \(status) " }
        if let type { text += "\(type): " }
        text += message
        if let providerError { text += " (provider: \(providerError.compactDescription))" }
        if let requestID { text += " [request_id \(requestID)]" }
        return text
    }

    /// 401, or Nylas's 400 `token.unauthorized_access`: the key is wrong for this application
    /// or region, so no further call can succeed.
    public var isAuthenticationFailure: Bool {
        status == 401 || type == "token.unauthorized_access" || type == "api.authentication_error"
    }

    /// A 429 from Nylas or from the provider.
    public var isRateLimited: Bool { status == 429 }
}
