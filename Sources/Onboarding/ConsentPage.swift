/// The small HTML page the admin's browser shows after the redirect. Everything echoed from
/// the request is HTML-escaped: the query is whatever anyone puts in a URL.
public enum ConsentPage {
    /// A page with a title, a paragraph and optional labelled values.
    public static func render(title: String, message: String, details: [(String, String)] = [], ok: Bool) -> String {
        let colour = ok ? "#1a7f37" : "#b42318"
        var rows = ""
        for (label, value) in details {
            rows += "<dt>\(escape(label))</dt><dd>\(escape(value))</dd>\n"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>bulkgrant: \(escape(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
            <style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}\
            h1{color:\(colour);font-size:1.4em}dt{font-weight:600}dd{margin:0 0 .8em;font-family:monospace;\
            white-space:pre-wrap;word-break:break-word}</style></head>
            <body><h1>\(escape(title))</h1>
            <p>\(escape(message))</p>
            \(rows.isEmpty ? "" : "<dl>\n" + rows + "</dl>")
            <p>You can close this tab.</p>
            </body></html>

            """
    }

    /// Replaces the five characters HTML gives meaning to.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
