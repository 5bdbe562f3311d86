/// Removes a secret from text that came from elsewhere. Only whole tokens are replaced: a key
/// standing between characters that cannot belong to a key (quotes, spaces, `:`, `=`, `/`),
/// so that a short key such as `k` does not garble every word holding that letter
/// ("SocketAddressError.UnknownHost"), while a real key echoed in any message is gone.
public enum Redaction {
    public static let marker = "[redacted]"

    /// `text` with every whole-token occurrence of `secret` replaced by `[redacted]`.
    public static func redact(_ secret: String, in text: String) -> String {
        guard !secret.isEmpty, text.contains(secret) else { return text }
        let scalars = Array(text.unicodeScalars)
        let needle = Array(secret.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if i + needle.count <= scalars.count, scalars[i] == needle[0],
                Array(scalars[i..<(i + needle.count)]) == needle,
                i == 0 || !isTokenCharacter(scalars[i - 1]),
                i + needle.count == scalars.count || !isTokenCharacter(scalars[i + needle.count])
            {
                out.append(contentsOf: marker.unicodeScalars)
                i += needle.count
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
    }

    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
    }
}
