/// Why an admin-consent URL cannot be built or a listener cannot start. Each message names the
/// flag at fault and says what to give instead.
///
/// A struct over a private enum (like `NylasError`), so that new codes do not break callers.
public struct ConsentError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidRedirectURI, scopeNeedsTenant, invalidState, missingValue, cannotListen
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The redirect URI is not an absolute http(s) URI, or is plain http off loopback.
        public static let invalidRedirectURI = Code(.invalidRedirectURI)
        /// Scopes were asked for without a specific tenant.
        public static let scopeNeedsTenant = Code(.scopeNeedsTenant)
        /// A given state is too short, too long, or has characters a URL or a shell would change.
        public static let invalidState = Code(.invalidState)
        /// A required value (credential id, client id) is empty.
        public static let missingValue = Code(.missingValue)
        /// The listener could not bind its port.
        public static let cannotListen = Code(.cannotListen)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
