import Foundation

/// The Nylas API key. Its `description` and `debugDescription` never show the key, so that
/// interpolating it into a log line or an error by accident leaks nothing.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The key itself; read it only to build the `Authorization` header.
    public let secret: String

    public init(_ secret: String) { self.secret = secret }

    public var description: String { "APIKey(redacted)" }
    public var debugDescription: String { description }

    /// A warning when `file` can be read by other users of the machine, as a key file must not.
    public static func fileWarning(_ file: String) -> String? {
        var info = stat()
        guard stat(file, &info) == 0, info.st_mode & 0o077 != 0 else { return nil }
        return "API key file \(file) is readable by other users (mode \(String(info.st_mode & 0o777, radix: 8))): anyone who can read it can call Nylas as your application; run chmod 600 \(file)"
    }

    /// The key from `NYLAS_API_KEY`, or from `file` (whitespace trimmed). A file wins over the
    /// environment because it was named explicitly.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> APIKey
    {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw NylasError(
                    code: .missingAPIKey, call: "configuration",
                    message: "cannot read the API key file \(file): check the path and its permissions")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else {
                throw NylasError(
                    code: .missingAPIKey, call: "configuration",
                    message: "the API key file \(file) is empty: put the key from the Nylas dashboard in it")
            }
            return APIKey(text)
        }
        let value = environment["NYLAS_API_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !value.isEmpty else {
            throw NylasError(
                code: .missingAPIKey, call: "configuration",
                message: "no API key: set NYLAS_API_KEY or pass --api-key-file FILE (or try --sandbox)")
        }
        return APIKey(value)
    }
}
