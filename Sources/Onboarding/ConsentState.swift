/// The OAuth `state` of an admin-consent request: a random value the listener compares with the
/// redirect's, so that a forged or stray request cannot record a consent.
public enum ConsentState {
    /// Characters that survive a URL query and a shell command line unchanged (RFC 3986
    /// unreserved), so the state printed with the URL is the state the redirect carries.
    static let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// 32 bytes from the system's cryptographic generator (`getrandom`/`arc4random`), as
    /// unpadded base64url: 43 characters. Drawn again when it would start with `-` or `_`:
    /// `--state -abc…` reads as a flag on a command line (one state in 32 would).
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let state = base64URL(bytes)
            if let first = state.first, first.isLetter || first.isNumber { return state }
        }
    }

    /// Checks a state given with `--state`: 8 to 256 (Nylas's limit) unreserved characters.
    /// - Parameter optional: the command makes a random one when `--state` is left out
    ///   (`consent url`); otherwise the state must be the one `consent url` printed.
    public static func validate(_ state: String, optional: Bool = true) throws {
        let fix = optional ? "leave it out for a random one" : "pass the state 'bulkgrant consent url' printed"
        guard (8...256).contains(state.count) else {
            throw ConsentError(
                code: .invalidState, message: "--state must be 8 to 256 characters long (it has \(state.count)); \(fix)")
        }
        guard state.allSatisfy(allowed.contains) else {
            throw ConsentError(
                code: .invalidState,
                message: "--state may hold only letters, digits, '-', '.', '_' and '~', so that the URL and the shell keep it as it is; \(fix)")
        }
    }

    /// Compares in time that does not depend on where the strings differ.
    public static func matches(_ received: String, _ expected: String) -> Bool {
        let a = Array(received.utf8)
        let b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var text = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for (offset, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { text.append(alphabet[(value >> (18 - 6 * position)) & 63]) }
            index += 3
        }
        return text
    }
}
