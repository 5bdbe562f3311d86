import Crypto
import Foundation

/// The SHA-256 of an export, recorded with each run so that "which file did Tuesday's run
/// read?" has an answer after the file was overwritten.
enum InputDigest {
    /// The file's digest in hex, or nil for standard input (read once, already consumed) and
    /// for a file that can no longer be read.
    static func sha256(path: String) -> String? {
        guard path != "-", let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            // `read(upToCount:)` answers nil or empty data at the end of the file.
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                hasher.update(data: chunk)
            }
        } catch {
            return nil
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
