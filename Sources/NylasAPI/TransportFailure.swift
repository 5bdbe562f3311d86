/// Why a call got no HTTP answer, decided from the type of the error underneath
/// (AsyncHTTPClient's `HTTPClientError`, NIO's `NIOConnectionError` and `IOError`, NIOSSL's
/// errors), never from its text.
///
/// `message` is what a person reads: it names the API host or the proxy (its password redacted)
/// and the fix (`--ca-file`, the clock, `--region`, the proxy settings).
///
/// For the engine: `needsOperator` is true for every proxy, tunnel and TLS failure. Such a call
/// was not sent (`delivery == .notSent`), and retrying it cannot help until a person changes the
/// network or the settings, so a run should stop (exit 3) before touching any more users instead
/// of deferring them as "outcome unknown".
public struct TransportFailure: Sendable, Hashable, CustomStringConvertible {
    /// The cause. A struct over a private enum so that new kinds do not break a `switch`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case dnsFailure, connectionRefused, connectTimeout, connectFailed
            case proxyUnresolvable, proxyRefused, proxyUnreachable, proxyAuthenticationRequired, tunnelFailed
            case tlsUnknownIssuer, tlsExpired, tlsNotYetValid, tlsHostnameMismatch, tlsHandshakeFailed
            case poolTimeout, connectionClosed, readTimeout, other
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The API host's name does not resolve.
        public static let dnsFailure = Kind(.dnsFailure)
        /// Nothing listens at the API host's port.
        public static let connectionRefused = Kind(.connectionRefused)
        /// The API host did not accept a connection within the connect timeout.
        public static let connectTimeout = Kind(.connectTimeout)
        /// Connecting to the API host failed otherwise (no route, network down).
        public static let connectFailed = Kind(.connectFailed)
        /// The proxy's name does not resolve.
        public static let proxyUnresolvable = Kind(.proxyUnresolvable)
        /// Nothing listens at the proxy's port.
        public static let proxyRefused = Kind(.proxyRefused)
        /// The proxy did not accept a connection in time, or could not be reached.
        public static let proxyUnreachable = Kind(.proxyUnreachable)
        /// The proxy answered `CONNECT` with 407: it wants (other) credentials.
        public static let proxyAuthenticationRequired = Kind(.proxyAuthenticationRequired)
        /// The proxy refused or failed to open the tunnel (any answer but 2xx or 407, or none).
        public static let tunnelFailed = Kind(.tunnelFailed)
        /// The server's certificate does not lead to a trusted CA (a TLS-inspecting proxy, a
        /// private gateway, a self-signed certificate).
        public static let tlsUnknownIssuer = Kind(.tlsUnknownIssuer)
        /// The server's certificate has expired, or the system clock is ahead.
        public static let tlsExpired = Kind(.tlsExpired)
        /// The server's certificate is not valid yet, or the system clock is behind.
        public static let tlsNotYetValid = Kind(.tlsNotYetValid)
        /// The server's certificate does not name the host that was asked for.
        public static let tlsHostnameMismatch = Kind(.tlsHostnameMismatch)
        /// The TLS handshake failed for a reason other than the certificate (no common protocol
        /// version or cipher, the server closed it, a timeout).
        public static let tlsHandshakeFailed = Kind(.tlsHandshakeFailed)
        /// No connection became free before the call's deadline (the request was never written).
        public static let poolTimeout = Kind(.poolTimeout)
        /// The connection closed before a full answer arrived.
        public static let connectionClosed = Kind(.connectionClosed)
        /// The request was sent and no answer came within the request timeout.
        public static let readTimeout = Kind(.readTimeout)
        /// Anything else below HTTP.
        public static let other = Kind(.other)

        /// A proxy or tunnel failure.
        public var isProxy: Bool {
            [.proxyUnresolvable, .proxyRefused, .proxyUnreachable, .proxyAuthenticationRequired, .tunnelFailed]
                .contains(base)
        }

        /// A TLS failure: a certificate the client does not accept, or a failed handshake.
        public var isTLS: Bool {
            [.tlsUnknownIssuer, .tlsExpired, .tlsNotYetValid, .tlsHostnameMismatch, .tlsHandshakeFailed].contains(base)
        }

        public var description: String { base.rawValue }
    }

    public var kind: Kind
    /// Whether the request was written before the failure: `.notSent` or `.maybeApplied`.
    public var delivery: NylasError.Delivery
    /// The API host and port the call was for, e.g. `api.us.nylas.com:443`.
    public var target: String
    /// The proxy in between, as its redacted description; nil for a direct connection.
    public var proxy: String?
    /// The certificate the server presented, for a TLS failure when it could be read.
    public var certificate: CertificateSummary?
    /// What went wrong, in a sentence, naming the host or proxy.
    public var problem: String
    /// What to do about it.
    public var fix: String

    public init(
        kind: Kind, delivery: NylasError.Delivery, target: String, proxy: String? = nil,
        certificate: CertificateSummary? = nil, problem: String, fix: String
    ) {
        self.kind = kind
        self.delivery = delivery
        self.target = target
        self.proxy = proxy
        self.certificate = certificate
        self.problem = problem
        self.fix = fix
    }

    /// Retrying cannot help: the proxy or TLS settings (or the network, or the clock) must be
    /// changed by a person. Always `.notSent`.
    public var needsOperator: Bool { kind.isProxy || kind.isTLS }

    /// `problem: fix`, one line.
    public var message: String { fix.isEmpty ? problem : "\(problem); \(fix)" }

    public var description: String { message }
}
