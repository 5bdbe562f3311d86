/// A job file that cannot be used: every problem found, each naming the key or the
/// organisation it is about and what to do.
public struct JobFileError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String { case unreadable, syntax, invalid }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The file could not be read.
        public static let unreadable = Code(.unreadable)
        /// Not TOML.
        public static let syntax = Code(.syntax)
        /// TOML, but not a valid job: unknown keys, wrong types, missing values.
        public static let invalid = Code(.invalid)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let path: String
    public let problems: [String]

    public init(code: Code, path: String, problems: [String]) {
        self.code = code
        self.path = path
        self.problems = problems
    }

    public var description: String {
        if problems.count == 1 { return "job file \(path): \(problems[0])" }
        return "job file \(path) has \(problems.count) problems:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
