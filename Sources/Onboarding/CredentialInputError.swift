/// Why the settings of a Microsoft admin-consent credential cannot be used: a client id or
/// tenant of the wrong shape, or a client secret that is missing, unreadable or empty. Each
/// message names the flag or file and says what to do; none quotes the secret.
public struct CredentialInputError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case clientID, tenant, noSecret, secretFileUnreadable, secretEmpty, secretMultiline, secretWithoutClientID
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `--client-id` is not an Azure application (client) id.
        public static let clientID = Code(.clientID)
        /// `--tenant` is neither `common`, a tenant id nor a tenant domain.
        public static let tenant = Code(.tenant)
        /// Neither a secret file nor the environment variable gave a secret.
        public static let noSecret = Code(.noSecret)
        /// The secret file does not exist or cannot be read.
        public static let secretFileUnreadable = Code(.secretFileUnreadable)
        /// The secret file or variable holds only whitespace.
        public static let secretEmpty = Code(.secretEmpty)
        /// The secret file holds several lines.
        public static let secretMultiline = Code(.secretMultiline)
        /// A secret was given without `--client-id`, which would leave it unused.
        public static let secretWithoutClientID = Code(.secretWithoutClientID)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Whether this is a mistake in a flag's value (exit 2 as a usage error) rather than in a file.
    public var isUsageError: Bool { code == .clientID || code == .tenant || code == .secretWithoutClientID }
}
