/// A piece of HTML in which every interpolated string is escaped.
///
/// It is how report text reaches the page: an address or error message holding `<script>`,
/// quotes or `&` renders as those characters, never as markup. Only literals written in the
/// source (`"<td>"`) and other `HTML` values are inserted as they are.
public struct HTML: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    public private(set) var markup: String

    public init(stringLiteral markup: String) { self.markup = markup }

    public init(stringInterpolation interpolation: StringInterpolation) { markup = interpolation.markup }

    public var description: String { markup }

    public static func + (lhs: HTML, rhs: HTML) -> HTML {
        var joined = lhs
        joined.markup += rhs.markup
        return joined
    }

    public static func += (lhs: inout HTML, rhs: HTML) { lhs.markup += rhs.markup }

    /// Text as markup, escaped.
    public static func text(_ text: String) -> HTML { "\(text)" }

    public struct StringInterpolation: StringInterpolationProtocol {
        var markup = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            markup.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { markup += literal }
        public mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }
        public mutating func appendInterpolation(_ html: HTML) { markup += html.markup }
        public mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { markup += part.markup } }
        public mutating func appendInterpolation(_ value: Int) { markup += String(value) }
        public mutating func appendInterpolation(_ value: Int64) { markup += String(value) }
    }

    /// Escapes text for an element's content or a quoted attribute value. Control and bidi
    /// override characters become U+FFFD: they could hide or reorder what an address shows.
    public static func escape(_ text: String) -> String {
        var needs = false
        for scalar in text.unicodeScalars where scalar.value < 0x20 || "&<>\"'".unicodeScalars.contains(scalar)
            || isHidden(scalar)
        {
            needs = true
            break
        }
        guard needs else { return text }
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\n", "\t": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || isHidden(scalar) {
                    escaped += "\u{FFFD}"
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }

    /// C1 controls and the bidirectional overrides and isolates.
    private static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}

extension Array where Element == HTML {
    /// The pieces one after another, `separator` between them.
    public func joined(separator: HTML = "") -> HTML {
        HTML(stringLiteral: map(\.markup).joined(separator: separator.markup))
    }
}
