/// Why a Google service-account key file cannot be used. Each message names the file and says
/// what to do; none quotes the key.
///
/// A struct over a private enum (like `NylasError`), so that new codes do not break callers.
public struct KeyFileError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreadable, empty, pkcs12, binary, notJSON, notObject, oauthClient, wrongType, missingFields
            case notServiceAccountEmail, truncatedKey, damagedKey, encryptedKey, notRSA, weakKey
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file does not exist or cannot be read.
        public static let unreadable = Code(.unreadable)
        /// The file is empty.
        public static let empty = Code(.empty)
        /// A PKCS#12 (`.p12`) key, the legacy format, instead of a JSON key.
        public static let pkcs12 = Code(.pkcs12)
        /// Some other binary file.
        public static let binary = Code(.binary)
        /// Not valid JSON.
        public static let notJSON = Code(.notJSON)
        /// JSON, but not an object.
        public static let notObject = Code(.notObject)
        /// An OAuth client file (`{"installed": …}` or `{"web": …}`) given by mistake.
        public static let oauthClient = Code(.oauthClient)
        /// `type` is not `service_account`.
        public static let wrongType = Code(.wrongType)
        /// Required fields are absent or empty (`fields` names them).
        public static let missingFields = Code(.missingFields)
        /// `client_email` is not a service account's address.
        public static let notServiceAccountEmail = Code(.notServiceAccountEmail)
        /// `private_key` is cut short: no END line, or its DER ends early.
        public static let truncatedKey = Code(.truncatedKey)
        /// `private_key` is not a readable PEM key (bad base64, bad DER, literal `\n`).
        public static let damagedKey = Code(.damagedKey)
        /// `private_key` is encrypted with a passphrase.
        public static let encryptedKey = Code(.encryptedKey)
        /// `private_key` is a key of another algorithm.
        public static let notRSA = Code(.notRSA)
        /// `private_key` is an RSA key shorter than 2048 bits.
        public static let weakKey = Code(.weakKey)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The key file, as given.
    public var path: String
    /// What is wrong and what to do, without the path (which `description` adds).
    public var message: String
    /// The fields a `.missingFields` error names.
    public var fields: [String]

    public init(code: Code, path: String, message: String, fields: [String] = []) {
        self.code = code
        self.path = path
        self.message = message
        self.fields = fields
    }

    public var description: String { "key file \(path): \(message)" }
}
