/// Decodes the `xn--` labels of a domain (RFC 3492), so that an IDN domain written in its
/// ASCII form and in Unicode is one domain: `bob@xn--bcher-kva.example` is `bob@bücher.example`.
enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    /// `domain` with each `xn--` label decoded and lower-cased; nil when a label is not valid
    /// Punycode (the caller keeps the ASCII form).
    static func decodeDomain(_ domain: Substring) -> String? {
        var labels: [String] = []
        for label in domain.split(separator: ".", omittingEmptySubsequences: false) {
            guard label.count > 4, label.lowercased().hasPrefix("xn--") else {
                labels.append(String(label))
                continue
            }
            guard let decoded = decode(label.dropFirst(4)) else { return nil }
            labels.append(decoded.lowercased())
        }
        return labels.joined(separator: ".")
    }

    /// One label's Punycode (without `xn--`) to Unicode.
    static func decode(_ input: Substring) -> String? {
        var output: [Unicode.Scalar] = []
        var rest = Substring(input)
        if let delimiter = input.lastIndex(of: "-") {
            for character in input[..<delimiter] {
                guard let scalar = character.unicodeScalars.first, scalar.isASCII else { return nil }
                output.append(scalar)
            }
            rest = input[input.index(after: delimiter)...]
        }
        var n = initialN, i = 0, bias = initialBias
        var digits = rest.unicodeScalars.makeIterator()
        while let first = digits.next() {
            let oldI = i
            var w = 1, k = base
            var scalar: Unicode.Scalar? = first
            while true {
                guard let current = scalar, let digit = value(current) else { return nil }
                let (product, overflow) = digit.multipliedReportingOverflow(by: w)
                guard !overflow, i <= Int.max - product else { return nil }
                i += product
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < t { break }
                w *= base - t
                k += base
                scalar = digits.next()
            }
            bias = adapt(i - oldI, output.count + 1, oldI == 0)
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n < 0x110000, let decoded = Unicode.Scalar(n) else { return nil }
            output.insert(decoded, at: i)
            i += 1
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: output)
        return text
    }

    private static func value(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar.value {
        case 0x30...0x39: return Int(scalar.value) - 22
        case 0x41...0x5A: return Int(scalar.value) - 0x41
        case 0x61...0x7A: return Int(scalar.value) - 0x61
        default: return nil
        }
    }

    private static func adapt(_ delta: Int, _ points: Int, _ first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
