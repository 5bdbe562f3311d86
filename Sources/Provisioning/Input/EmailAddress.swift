/// A normalised email address.
///
/// `value` is trimmed, lower-cased, stripped of surrounding quotes, of a leading
/// `mailto:` (and its `?query`), and of a `Display Name <…>` wrapper. IDN domains are
/// kept as Unicode (lower-cased), never punycoded, and a domain written in Punycode
/// (`xn--…`) is decoded to Unicode, so that both spellings are one user. Equality, hashing
/// and ordering use `value` only.
public struct EmailAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: String

    /// The part after the `@`.
    public var domain: Substring {
        guard let at = value.utf8.lastIndex(of: UInt8(ascii: "@")) else { return value[...] }
        return value[value.utf8.index(after: at)...]
    }

    /// The part before the `@`.
    public var localPart: Substring {
        guard let at = value.utf8.lastIndex(of: UInt8(ascii: "@")) else { return value[...] }
        return value[..<at]
    }

    public var description: String { value }

    init(normalised value: String) { self.value = value }

    public static func < (lhs: EmailAddress, rhs: EmailAddress) -> Bool { lhs.value < rhs.value }

    /// Parses and normalises `raw`; see the type documentation for what is accepted.
    public static func parse(_ raw: String) -> Result<EmailAddress, EmailRejection> {
        var raw = raw
        return raw.withUTF8 { parse(utf8: $0) }
    }

    /// Byte-level entry point used by the reader. `bytes` must be valid UTF-8.
    static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Result<EmailAddress, EmailRejection> {
        var lo = 0, hi = bytes.count
        UTF8Scan.trim(bytes, &lo, &hi)
        guard lo < hi else { return .failure(EmailRejection(reason: "empty email")) }
        let (shownLo, shownHi) = (lo, hi)
        var shown: String { UTF8Scan.shown(bytes, shownLo, shownHi) }  // only built for rejections
        func reject(_ detail: String) -> Result<EmailAddress, EmailRejection> {
            .failure(EmailRejection(reason: "invalid email \(shown): \(detail)"))
        }

        // Unwrap: quotes, `Name <addr>`, quotes again, `mailto:`.
        UTF8Scan.stripQuotes(bytes, &lo, &hi)
        if hi - lo >= 2, bytes[hi - 1] == UInt8(ascii: ">"),
           let open = UTF8Scan.lastIndex(of: UInt8(ascii: "<"), in: bytes, lo, hi - 1) {
            lo = open + 1
            hi -= 1
            UTF8Scan.trim(bytes, &lo, &hi)
            UTF8Scan.stripQuotes(bytes, &lo, &hi)
        }
        if UTF8Scan.hasPrefixIgnoringCase(bytes, lo, hi, "mailto:") {
            lo += 7
            if let query = UTF8Scan.firstIndex(of: UInt8(ascii: "?"), in: bytes, lo, hi) { hi = query }
            UTF8Scan.trim(bytes, &lo, &hi)
        }
        guard lo < hi else { return .failure(EmailRejection(reason: "empty email")) }

        // Whole-string checks.
        var at = -1, atCount = 0, nonASCII = false
        var i = lo
        if UTF8Scan.firstIndex(of: UInt8(ascii: "<"), in: bytes, lo, hi) != nil
            || UTF8Scan.firstIndex(of: UInt8(ascii: ">"), in: bytes, lo, hi) != nil {
            return reject("unbalanced '<' and '>'")
        }
        while i < hi {
            let b = bytes[i]
            if b == UInt8(ascii: "@") { at = i; atCount += 1 }
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) { return reject("contains a space") }
            if b >= 0x80 {
                nonASCII = true
                if UTF8Scan.whitespaceLength(bytes, i, hi) > 0 { return reject("contains a space") }
            }
            i += 1
        }
        if atCount == 0 { return .failure(EmailRejection(reason: "no '@' in \(shown)")) }
        if atCount > 1 { return reject("more than one '@'") }

        // Local part: 1–64 bytes of atext / non-ASCII letters, dots not leading, trailing or doubled.
        let localLength = at - lo
        if localLength == 0 { return reject("local part is empty") }
        if localLength > 64 { return reject("local part is longer than 64 bytes") }
        if bytes[lo] == UInt8(ascii: ".") { return reject("local part starts with a dot") }
        if bytes[at - 1] == UInt8(ascii: ".") { return reject("local part ends with a dot") }
        i = lo
        while i < at {
            let b = bytes[i]
            if b < 0x80 {
                if b == UInt8(ascii: "."), bytes[i + 1] == UInt8(ascii: ".") {
                    return reject("local part has two dots in a row")
                }
                guard UTF8Scan.isLocalASCII(b) else { return reject("character \(UTF8Scan.quoted(b)) is not allowed before '@'") }
                i += 1
            } else {
                let (scalar, length) = UTF8Scan.decode(bytes, i)
                guard UTF8Scan.isInternationalLetter(scalar) else {
                    return reject("character \(String(Character(scalar)).debugDescription) is not allowed before '@'")
                }
                i += length
            }
        }

        // Domain: drop one trailing dot, ≥ 2 labels of letters/digits/hyphens/non-ASCII letters.
        var domainEnd = hi
        if domainEnd > at + 1, bytes[domainEnd - 1] == UInt8(ascii: ".") { domainEnd -= 1 }
        let domainStart = at + 1
        if domainStart >= domainEnd { return reject("domain is empty") }
        let domainText = { String(decoding: UnsafeBufferPointer(rebasing: bytes[domainStart..<domainEnd]), as: UTF8.self) }
        var labels = 0, labelStart = domainStart, labelChars = 0, labelAllDigits = true, domainChars = 0
        i = domainStart
        while i <= domainEnd {
            if i == domainEnd || bytes[i] == UInt8(ascii: ".") {
                if labelChars == 0 { return reject("domain \(domainText().debugDescription) has an empty label") }
                if labelChars > 63 { return reject("a domain label is longer than 63 characters") }
                if bytes[labelStart] == UInt8(ascii: "-") || bytes[i - 1] == UInt8(ascii: "-") {
                    return reject("a domain label starts or ends with '-'")
                }
                labels += 1
                if i == domainEnd { break }
                domainChars += 1
                i += 1
                labelStart = i; labelChars = 0; labelAllDigits = true
                continue
            }
            let b = bytes[i]
            if b < 0x80 {
                guard UTF8Scan.isDomainASCII(b) else { return reject("character \(UTF8Scan.quoted(b)) is not allowed in the domain") }
                if !(b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) { labelAllDigits = false }
                i += 1
            } else {
                let (scalar, length) = UTF8Scan.decode(bytes, i)
                guard UTF8Scan.isInternationalLetter(scalar) else {
                    return reject("character \(String(Character(scalar)).debugDescription) is not allowed in the domain")
                }
                labelAllDigits = false
                i += length
            }
            labelChars += 1
            domainChars += 1
        }
        if labels < 2 { return reject("domain \(domainText().debugDescription) has no dot") }
        if labelAllDigits { return reject("domain \(domainText().debugDescription) has an all-numeric top-level domain") }
        if domainChars > 253 { return reject("domain is longer than 253 characters") }
        if localLength + 1 + domainChars > 254 { return reject("address is longer than 254 characters") }

        // Build the lower-cased value.
        let count = domainEnd - lo
        var value = String(unsafeUninitializedCapacity: count) { out in
            for k in 0..<count {
                let b = bytes[lo + k]
                out[k] = (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) ? b | 0x20 : b
            }
            return count
        }
        if nonASCII { value = value.lowercased() }
        let address = EmailAddress(normalised: value)
        if value.contains("xn--"), let domain = Punycode.decodeDomain(address.domain) {
            return .success(EmailAddress(normalised: address.localPart + "@" + domain))
        }
        return .success(address)
    }
}

/// Why a string is not accepted as an email address.
public struct EmailRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// A human sentence fragment, e.g. `no '@' in "bob.example.com"`, `empty email`,
    /// `invalid email "bob@example": domain "example" has no dot`.
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Byte-level helpers over UTF-8 buffers shared by the email parser and the input reader.
/// All ranges are `lo..<hi` index pairs into the buffer, so no slices or Strings are built.
enum UTF8Scan {
    /// Length of the whitespace (or invisible BOM / zero-width character) starting at `i`, or 0.
    @inline(__always)
    static func whitespaceLength(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int) -> Int {
        let b = p[i]
        if b < 0x80 { return (b == 0x20 || (b >= 0x09 && b <= 0x0D)) ? 1 : 0 }
        let n = hi - i
        if b == 0xC2, n >= 2 { return (p[i + 1] == 0xA0 || p[i + 1] == 0x85) ? 2 : 0 }
        guard n >= 3 else { return 0 }
        let b1 = p[i + 1], b2 = p[i + 2]
        switch b {
        case 0xE2:
            if b1 == 0x80, (b2 >= 0x80 && b2 <= 0x8F) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF { return 3 } // U+2000–200F, 2028, 2029, 202F
            if b1 == 0x81, b2 == 0x9F || b2 == 0xA0 { return 3 } // U+205F, U+2060
            return 0
        case 0xE3: return (b1 == 0x80 && b2 == 0x80) ? 3 : 0 // U+3000
        case 0xEF: return (b1 == 0xBB && b2 == 0xBF) ? 3 : 0 // U+FEFF
        case 0xE1: return (b1 == 0x9A && b2 == 0x80) ? 3 : 0 // U+1680
        default: return 0
        }
    }

    /// Narrows `lo..<hi` to drop leading and trailing whitespace.
    static func trim(_ p: UnsafeBufferPointer<UInt8>, _ lo: inout Int, _ hi: inout Int) {
        while lo < hi {
            let n = whitespaceLength(p, lo, hi)
            if n == 0 { break }
            lo += n
        }
        outer: while lo < hi {
            for n in 1...3 where hi - n >= lo && whitespaceLength(p, hi - n, hi) == n {
                hi -= n
                continue outer
            }
            break
        }
    }

    /// Drops matching surrounding `"…"` or `'…'` (repeatedly), trimming inside.
    static func stripQuotes(_ p: UnsafeBufferPointer<UInt8>, _ lo: inout Int, _ hi: inout Int) {
        while hi - lo >= 2, p[lo] == p[hi - 1], p[lo] == UInt8(ascii: "\"") || p[lo] == UInt8(ascii: "'") {
            lo += 1
            hi -= 1
            trim(p, &lo, &hi)
        }
    }

    static func firstIndex(of byte: UInt8, in p: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Int? {
        var i = lo
        while i < hi { if p[i] == byte { return i }; i += 1 }
        return nil
    }

    static func lastIndex(of byte: UInt8, in p: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Int? {
        var i = hi - 1
        while i >= lo { if p[i] == byte { return i }; i -= 1 }
        return nil
    }

    /// ASCII case-insensitive prefix test; `prefix` must be lower-case ASCII.
    static func hasPrefixIgnoringCase(_ p: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard hi - lo >= n else { return false }
        let q = prefix.utf8Start
        for k in 0..<n where p[lo + k] | 0x20 != q[k] | 0x20 { return false }
        return true
    }

    /// `lo..<hi` as a quoted, escaped string for messages, cut at 80 characters.
    static func shown(_ p: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> String {
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[lo..<hi]), as: UTF8.self)
        return (text.count > 80 ? String(text.prefix(80)) + "…" : text).debugDescription
    }

    static func quoted(_ byte: UInt8) -> String { String(Character(Unicode.Scalar(byte))).debugDescription }

    /// ``A–Z a–z 0–9 ! # $ % & ' * + - / = ? ^ _ ` { | } ~ .``
    @inline(__always)
    static func isLocalASCII(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "?"),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"),
             UInt8(ascii: "~"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    @inline(__always)
    static func isDomainASCII(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// Letters, combining marks and digits outside ASCII (EAI local parts, IDN labels).
    static func isInternationalLetter(_ s: Unicode.Scalar) -> Bool {
        let properties = s.properties
        if properties.isAlphabetic { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber: return true
        default: return false
        }
    }

    /// Decodes the scalar starting at `i` in valid UTF-8.
    static func decode(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Unicode.Scalar, Int) {
        let b = UInt32(p[i])
        let value: UInt32, length: Int
        if b < 0xE0 {
            value = (b & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F); length = 2
        } else if b < 0xF0 {
            value = (b & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F); length = 3
        } else {
            value = (b & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F)
            length = 4
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// Validates `lo..<hi` as UTF-8 (no overlongs, surrogates or values past U+10FFFF) and notes NUL bytes.
    static func check(_ p: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> (valid: Bool, hasNUL: Bool) {
        var valid = true, nul = false
        var i = lo
        // Fast path: eight ASCII bytes at a time, none of them NUL.
        if let base = p.baseAddress {
            while i + 8 <= hi {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let high: UInt64 = 0x8080_8080_8080_8080, low: UInt64 = 0x0101_0101_0101_0101
                if word & high != 0 || (word &- low) & ~word & high != 0 { break }
                i += 8
            }
        }
        while i < hi {
            let b = p[i]
            if b < 0x80 {
                if b == 0 { nul = true }
                i += 1
                continue
            }
            var need = 0, low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; high = 0x9F
            case 0xF0: need = 3; low = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; high = 0x8F
            default: valid = false; i += 1; continue
            }
            guard i + need < hi, p[i + 1] >= low, p[i + 1] <= high else { valid = false; i += 1; continue }
            var k = 2
            while k <= need, p[i + k] & 0xC0 == 0x80 { k += 1 }
            if k <= need { valid = false; i += 1; continue }
            i += need + 1
        }
        return (valid, nul)
    }
}
