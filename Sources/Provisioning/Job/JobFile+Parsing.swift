import Foundation
import NylasAPI
import TOMLKit

extension JobFile {
    static let jobKeys = [
        "ledger", "rate", "concurrency", "max_attempts", "breaker_threshold", "stop_after", "stop_grace", "revoke_departed",
        "max_revoke", "repair_invalid", "adopt_existing", "proxy", "report_html", "organisation",
    ]
    static let organisationKeys = [
        "name", "provider", "credential_id", "scopes", "input", "domains", "where", "exclude", "email_column", "format",
    ]

    /// Parses a job file's text; `path` names it in messages and anchors relative paths.
    public static func parse(_ text: String, path: String) throws -> JobFile {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw JobFileError(
                code: .syntax, path: path,
                problems: [
                    "line \(error.source.begin.line), column \(error.source.begin.column): \(error.description); the file must be TOML (see examples/job.toml)"
                ])
        } catch {
            throw JobFileError(code: .syntax, path: path, problems: ["is not valid TOML: \(error)"])
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var reader = KeyReader(table: table, context: "", problems: [])
        reader.rejectUnknown(allowed: jobKeys)
        var job = JobFile(path: path, ledger: folder.appendingPathComponent("bulkgrant.sqlite").path)
        if let ledger = reader.string("ledger") { job.ledger = resolve(ledger, in: folder) }
        if let report = reader.string("report_html") {
            if report.trimmingCharacters(in: .whitespaces).isEmpty {
                reader.problem("report_html is empty: give the HTML file to write after each run, e.g. report_html = \"report.html\"")
            } else {
                job.reportHTML = resolve(report, in: folder)
            }
        }
        if let rate = reader.number("rate") {
            if rate > 0 && rate <= 1000 { job.rate = rate } else { reader.problem("rate must be from 0 to 1000 requests per second, not \(rate)") }
        }
        if let concurrency = reader.int("concurrency") {
            if (1...1024).contains(concurrency) { job.concurrency = concurrency } else { reader.problem("concurrency must be from 1 to 1024") }
        }
        if let attempts = reader.int("max_attempts") {
            if attempts >= 1 { job.maxAttempts = attempts } else { reader.problem("max_attempts must be at least 1") }
        }
        if let threshold = reader.int("breaker_threshold") {
            if threshold >= 0 { job.breakerThreshold = threshold } else { reader.problem("breaker_threshold must be 0 or more") }
        }
        if let repeats = reader.int("stop_after") {
            if repeats >= 1 { job.stopAfter = repeats } else { reader.problem("stop_after must be at least 1") }
        }
        if let grace = reader.number("stop_grace") {
            if grace >= 0 { job.stopGrace = grace } else { reader.problem("stop_grace must be 0 or more seconds") }
        }
        job.revokeDeparted = reader.bool("revoke_departed") ?? false
        job.repairInvalid = reader.bool("repair_invalid") ?? false
        job.adoptExisting = reader.bool("adopt_existing") ?? false
        if let proxy = reader.string("proxy") {
            let trimmed = proxy.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.lowercased() == "none" {
                job.proxy = "none"
            } else {
                do {
                    _ = try NylasClientConfiguration.Proxy(url: trimmed)
                    job.proxy = trimmed
                } catch let error as NylasError {
                    reader.problem(error.message + " (e.g. proxy = \"http://USER:PASSWORD@proxy.example:3128\", or \"none\")")
                } catch {
                    reader.problem("proxy: \(error)")
                }
            }
        }
        if let value = table["max_revoke"] {
            let text = value.string ?? value.int.map(String.init)
            if let text, let limit = RevocationLimit(text) {
                job.maxRevoke = limit
            } else {
                reader.problem("max_revoke takes a count (25) or a percentage in quotes (\"5%\")")
            }
        }

        var problems = reader.problems
        var names: [String?] = []
        if let list = table["organisation"] {
            if let array = list.array {
                for (index, element) in array.enumerated() {
                    guard let entry = element.table else {
                        problems.append("organisation \(index + 1): must be a table ([[organisation]])")
                        names.append(nil)
                        continue
                    }
                    names.append(entry["name"]?.string)
                    if let organisation = parseOrganisation(entry, index: index, folder: folder, problems: &problems) {
                        job.organisations.append(organisation)
                    }
                }
            } else {
                problems.append("organisation must be written as [[organisation]] tables, one per organisation")
            }
        }
        if job.organisations.isEmpty && !problems.contains(where: { $0.hasPrefix("organisation") }) {
            problems.append("lists no organisation: add one [[organisation]] table per organisation (see examples/job.toml)")
        }
        var seen: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            guard let name else { continue }
            if let first = seen[name.lowercased()] {
                problems.append(
                    "organisation \(index + 1) has the same name as organisation \(first + 1), '\(name)': names must be unique, the ledger records each user's organisation by name")
            } else {
                seen[name.lowercased()] = index
            }
        }
        guard problems.isEmpty else { throw JobFileError(code: .invalid, path: path, problems: problems) }
        return job
    }

    private static func parseOrganisation(_ table: TOMLTable, index: Int, folder: URL, problems: inout [String])
        -> Organisation?
    {
        let label = table["name"]?.string.map { "organisation '\($0)'" } ?? "organisation \(index + 1)"
        var reader = KeyReader(table: table, context: label + ": ", problems: [])
        reader.rejectUnknown(allowed: organisationKeys)
        let name = reader.string("name", required: true)
        if let name, !Self.isValidName(name) {
            reader.problem("name '\(name)' must be 1 to 64 letters, digits, spaces, '.', '_' or '-'")
        }
        let providerName = reader.string("provider", required: true)
        let provider = providerName.flatMap { Provider(rawValue: $0.lowercased()) }
        if let providerName, provider == nil {
            reader.problem("provider must be google or microsoft, not '\(providerName)'")
        }
        let credential = reader.string("credential_id", required: true)
        if let credential, credential.trimmingCharacters(in: .whitespaces).isEmpty {
            reader.problem("credential_id is empty: give the Nylas credential id (bulkgrant credentials list --provider P)")
        }
        let input = reader.string("input", required: true)
        let scopes = reader.strings("scopes") ?? []
        if provider == .google && scopes.isEmpty {
            reader.problem("scopes: Google grants need at least one, e.g. scopes = [\"https://www.googleapis.com/auth/calendar\"]")
        }
        if provider == .microsoft && !scopes.isEmpty {
            reader.problem("scopes are for Google only: Microsoft grants take their scopes from the Azure app's admin consent")
        }
        let domains = reader.strings("domains") ?? []
        let wheres = reader.strings("where", allowSingle: true) ?? []
        let excludes = reader.strings("exclude", allowSingle: true) ?? []
        for (texts, kind) in [(wheres, RowFilter.Kind.where), (excludes, .exclude)] {
            for text in texts {
                do {
                    _ = try RowFilter(parsing: text, kind: kind)
                } catch {
                    reader.problem("\(kind.rawValue): \(error)")
                }
            }
        }
        let column = reader.string("email_column")
        var format = InputFormat.auto
        if let text = reader.string("format") {
            if let parsed = InputFormat(rawValue: text.lowercased()) { format = parsed } else {
                reader.problem("format must be auto, csv or lines, not '\(text)'")
            }
        }
        problems += reader.problems
        guard reader.problems.isEmpty, let name, let provider, let credential, let input else { return nil }
        var organisation = Organisation(
            name: name, provider: provider, credentialID: credential, input: resolve(input, in: folder))
        organisation.scopes = scopes
        organisation.domains = domains.map { $0.lowercased() }
        organisation.whereFilters = wheres
        organisation.excludeFilters = excludes
        organisation.emailColumn = column
        organisation.format = format
        return organisation
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.trimmingCharacters(in: .whitespaces) == name
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || " ._-".unicodeScalars.contains($0) }
    }

    /// `-` (standard input) is not allowed in a job; other relative paths hang off the job file's folder.
    private static func resolve(_ path: String, in folder: URL) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return expanded }
        return folder.appendingPathComponent(expanded).standardizedFileURL.path
    }
}

/// Reads typed values out of one TOML table, collecting a problem for each wrong one.
struct KeyReader {
    let table: TOMLTable
    let context: String
    var problems: [String]

    mutating func problem(_ text: String) { problems.append(context + text) }

    mutating func rejectUnknown(allowed: [String]) {
        for key in table.keys where !allowed.contains(key) {
            let hint = Self.suggestion(for: key, among: allowed).map { "; did you mean \($0)?" } ?? ""
            problem("unknown key '\(key)'\(hint) (known keys: \(allowed.joined(separator: ", ")))")
        }
    }

    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = table[key] else {
            if required { problem("\(key) is missing") }
            return nil
        }
        guard let text = value.string else {
            problem("\(key) must be a string in quotes, not a \(value.type)")
            return nil
        }
        return text
    }

    mutating func number(_ key: String) -> Double? {
        guard let value = table[key] else { return nil }
        if let double = value.double { return double }
        if let int = value.int { return Double(int) }
        problem("\(key) must be a number, not a \(value.type)")
        return nil
    }

    mutating func int(_ key: String) -> Int? {
        guard let value = table[key] else { return nil }
        if let int = value.int { return int }
        problem("\(key) must be a whole number, not a \(value.type)")
        return nil
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let value = table[key] else { return nil }
        if let bool = value.bool { return bool }
        problem("\(key) must be true or false, not a \(value.type)")
        return nil
    }

    mutating func strings(_ key: String, allowSingle: Bool = false) -> [String]? {
        guard let value = table[key] else { return nil }
        if allowSingle, let text = value.string { return [text] }
        guard let array = value.array else {
            problem("\(key) must be a list of strings, e.g. \(key) = [\"…\"]")
            return nil
        }
        var result: [String] = []
        for element in array {
            guard let text = element.string else {
                problem("\(key) must hold strings only")
                return nil
            }
            result.append(text)
        }
        return result
    }

    /// A known key close to a mistyped one (`credential-id`, `organisations`, `scope`).
    static func suggestion(for key: String, among known: [String]) -> String? {
        let normalised = key.lowercased().replacingOccurrences(of: "-", with: "_")
        return known.first { $0 == normalised } ?? known.min { distance($0, normalised) < distance($1, normalised) }
            .flatMap { distance($0, normalised) <= 2 ? $0 : nil }
    }

    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
