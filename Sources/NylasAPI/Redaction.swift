/// Removes a secret from text that came from elsewhere. A secret of `wholeTokenBelow`
/// characters or more is removed wherever it stands, glued to other text or not; a shorter
/// one only where it stands as a whole token (between characters that cannot belong to a key:
/// quotes, spaces, `:`, `=`, `/`), so that a key such as `k` does not garble every word
/// holding that letter ("SocketAddressError.UnknownHost").
public enum Redaction {
    public static let marker = "[redacted]"
    /// Real API keys are far longer; a shorter secret is matched as a token only.
    public static let wholeTokenBelow = 12

    /// `text` with every whole-token occurrence of `secret` replaced by `[redacted]`.
    public static func redact(_ secret: String, in text: String) -> String {
        guard !secret.isEmpty, text.contains(secret) else { return text }
        if secret.count >= wholeTokenBelow { return text.replacingOccurrences(of: secret, with: marker) }
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
