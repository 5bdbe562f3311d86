import Foundation

/// An error from a Nylas call: an error answer from the API, a body that could not be read,
/// or a transport failure.
///
/// A struct over a private enum (like AsyncHTTPClient's `HTTPClientError`), so that new codes do
/// not break callers that switch on `code`. It never holds the API key: the key is only ever
/// written into the `Authorization` header. Nor a proxy password: proxies are named by their
/// redacted `description`.
///
/// What a caller deciding about a failed call reads:
/// - `delivery`: whether the request left this machine (`notSent`), may have been applied
///   (`maybeApplied`), or was answered (`answered`). `outcomeUnknown` is `delivery ==
///   .maybeApplied` for a call that changes something (not a GET).
/// - `transport`: for a failure below HTTP (no answer), its cause by type: DNS, refused, proxy,
///   tunnel, TLS certificate, …, with a message naming the host or proxy and the fix.
///   `transport?.needsOperator` says that retrying cannot help (TLS and proxy failures): a run
///   should stop (exit 3) rather than defer users, since nothing was sent.
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

    /// How far a request got before it failed.
    public struct Delivery: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case notSent, maybeApplied, answered }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The request never left this machine: DNS, connect, proxy (refused, 407, tunnel), TLS
        /// handshake, or no free connection before the deadline. Nothing can have been applied.
        public static let notSent = Delivery(.notSent)
        /// The request was sent and no usable answer came back: the connection closed after
        /// sending, the answer timed out, a 5xx, or a 2xx whose body could not be read. The server
        /// may have applied it (for a GET nothing changes either way).
        public static let maybeApplied = Delivery(.maybeApplied)
        /// The server answered with a status that says what happened (a 4xx, or a readable answer).
        public static let answered = Delivery(.answered)

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
    /// How far the request got: not sent, maybe applied, or answered.
    public var delivery: Delivery
    /// Why no answer came, for a failure below HTTP (`code` `.transport` or `.timeout`); nil when
    /// the server answered, and for configuration errors.
    public var transport: TransportFailure?

    /// True when the server may have applied the request although no good answer came back:
    /// the connection broke or timed out after the request was sent, or a 5xx arrived.
    /// Follows `delivery` (`.maybeApplied`), except for a GET: a read changes nothing, so
    /// nothing is unknown about it. Setting it sets `delivery`.
    public var outcomeUnknown: Bool {
        get { delivery == .maybeApplied && !call.hasPrefix("GET ") }
        set { delivery = newValue ? .maybeApplied : (status == nil ? .notSent : .answered) }
    }

    /// True when the request reached the API host (an answer, or a request sent on a connection
    /// that was open to it): what tells a night on which the API was reachable from one on
    /// which no call got through.
    public var reachedServer: Bool { delivery != .notSent }

    /// - Parameters:
    ///   - delivery: how far the request got; when nil, `.maybeApplied` if `outcomeUnknown`,
    ///     else `.answered` with a `status` and `.notSent` without one.
    public init(
        code: Code, call: String, status: Int? = nil, type: String? = nil, message: String,
        requestID: String? = nil, providerError: JSONValue? = nil, retryAfter: Double? = nil,
        outcomeUnknown: Bool = false, delivery: Delivery? = nil, transport: TransportFailure? = nil
    ) {
        self.code = code
        self.call = call
        self.status = status
        self.type = type
        self.message = message
        self.requestID = requestID
        self.providerError = providerError
        self.retryAfter = retryAfter
        self.transport = transport
        self.delivery = delivery ?? (outcomeUnknown ? .maybeApplied : (status == nil ? .notSent : .answered))
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
