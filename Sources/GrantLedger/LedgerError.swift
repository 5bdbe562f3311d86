/// Why the ledger cannot be used. Each message says what to do.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case locked, otherHost, newerSchema, unreadable, unwritable, corrupt
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Another run holds the ledger.
        public static let locked = Code(.locked)
        /// The ledger was written for another API host (region).
        public static let otherHost = Code(.otherHost)
        /// A newer bulkgrant wrote the ledger.
        public static let newerSchema = Code(.newerSchema)
        /// The file cannot be opened or read.
        public static let unreadable = Code(.unreadable)
        /// A write failed (disk full, read-only file or folder).
        public static let unwritable = Code(.unwritable)
        /// The file is not a SQLite database, or is damaged.
        public static let corrupt = Code(.corrupt)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var path: String
    public var message: String
    /// With `otherHost`: the API host the ledger is bound to.
    public var boundHost: String?

    public init(code: Code, path: String, message: String, boundHost: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.boundHost = boundHost
    }

    public var description: String { "ledger \(path): \(message)" }
}
