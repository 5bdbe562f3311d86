import Foundation
import TOMLKit

/// A tenant file could not be used: its path, and each problem with the key it concerns.
public struct SandboxTenantError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problems: [String]

    public var description: String {
        "tenant file \(path): " + problems.joined(separator: "; ")
            + " (see examples/tenants/ for files that work)"
    }
}

extension SandboxTenant {
    /// Reads a tenant from a TOML file (`bulkgrant sandbox --tenant FILE`); returns it with the
    /// file's `envelope`, when it names one.
    public static func load(path: String, now: Double = Date().timeIntervalSince1970) throws -> (
        SandboxTenant, RefusalEnvelope?
    ) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SandboxTenantError(path: path, problems: ["cannot be read: check the path and its permissions"])
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: String(decoding: data, as: UTF8.self))
        } catch let error as TOMLParseError {
            throw SandboxTenantError(
                path: path, problems: ["line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)"])
        }
        var file = TenantFile(now: now)
        let tenant = file.tenant(table)
        guard file.problems.isEmpty else { throw SandboxTenantError(path: path, problems: file.problems) }
        return (tenant, file.envelope)
    }
}

/// The reading of one tenant file, collecting every problem rather than stopping at the first.
private struct TenantFile {
    let now: Double
    var problems: [String] = []
    var envelope: RefusalEnvelope?

    mutating func tenant(_ table: TOMLTable) -> SandboxTenant {
        var tenant = SandboxTenant()
        known(table, "", ["envelope", "google", "microsoft"])
        if let name = text(table, "envelope") {
            envelope = RefusalEnvelope(rawValue: name)
            if envelope == nil { problems.append("envelope must be one of \(RefusalEnvelope.allCases.map(\.rawValue).joined(separator: ", "))") }
        }
        if let google = section(table, "google") { tenant.google = workspace(google) }
        if let microsoft = section(table, "microsoft") { tenant.microsoft = entra(microsoft) }
        return tenant
    }

    mutating func workspace(_ table: TOMLTable) -> SandboxTenant.GoogleWorkspace {
        var google = SandboxTenant.GoogleWorkspace()
        known(table, "google.", ["delegated_scopes", "key", "accepted_key_ids", "service_account", "app_blocked", "domains", "others", "users"])
        google.delegatedScopes = list(table, "google.", "delegated_scopes").map(Set.init)
        google.key = choice(table, "google.", "key") ?? .active
        google.acceptedKeyIDs = list(table, "google.", "accepted_key_ids").map(Set.init)
        google.serviceAccount = choice(table, "google.", "service_account") ?? .active
        google.appBlocked = flag(table, "google.", "app_blocked") ?? false
        google.domains = Set((list(table, "google.", "domains") ?? []).map { $0.lowercased() })
        google.others = choice(table, "google.", "others") ?? .active
        google.users = users(table, "google.")
        return google
    }

    mutating func entra(_ table: TOMLTable) -> SandboxTenant.MicrosoftTenant {
        var microsoft = SandboxTenant.MicrosoftTenant()
        known(
            table, "microsoft.",
            ["consent", "consented_at", "consented_minutes_ago", "propagation_seconds", "secret", "tenant_exists",
             "app_registered", "permissions", "access_policy_allows", "domains", "others", "users"])
        switch text(table, "consent") {
        case nil, "given": break
        case "none": microsoft.consentedAt = nil
        case let other?: problems.append("microsoft.consent must be \"given\" or \"none\", not \"\(other)\"")
        }
        if let minutes = number(table, "microsoft.", "consented_minutes_ago") {
            microsoft.consentedAt = now - minutes * 60
        }
        if let value = table["consented_at"] {
            if let text = value.string, let parsed = ISO8601DateFormatter().date(from: text) {
                microsoft.consentedAt = parsed.timeIntervalSince1970
            } else {
                problems.append("microsoft.consented_at must be a date and time in quotes, such as \"2026-12-01T03:00:00Z\"")
            }
        }
        microsoft.propagationSeconds = number(table, "microsoft.", "propagation_seconds") ?? 300
        microsoft.secret = choice(table, "microsoft.", "secret") ?? .valid
        microsoft.tenantExists = flag(table, "microsoft.", "tenant_exists") ?? true
        microsoft.appRegistered = flag(table, "microsoft.", "app_registered") ?? true
        microsoft.permissions = list(table, "microsoft.", "permissions").map(Set.init)
        microsoft.accessPolicyAllows = list(table, "microsoft.", "access_policy_allows").map { Set($0.map { $0.lowercased() }) }
        microsoft.domains = Set((list(table, "microsoft.", "domains") ?? []).map { $0.lowercased() })
        microsoft.others = choice(table, "microsoft.", "others") ?? .licensed
        microsoft.users = users(table, "microsoft.")
        return microsoft
    }

    // MARK: Typed values

    mutating func known(_ table: TOMLTable, _ prefix: String, _ keys: [String]) {
        for key in table.keys where !keys.contains(key) {
            problems.append("unknown key \(prefix)\(key) (known: \(keys.joined(separator: ", ")))")
        }
    }

    mutating func section(_ table: TOMLTable, _ key: String) -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let section = value.table else {
            problems.append("\(key) must be a table: [\(key)]")
            return nil
        }
        return section
    }

    mutating func text(_ table: TOMLTable, _ key: String) -> String? {
        guard let value = table[key] else { return nil }
        guard let text = value.string else {
            problems.append("\(key) must be a string in quotes")
            return nil
        }
        return text
    }

    mutating func number(_ table: TOMLTable, _ prefix: String, _ key: String) -> Double? {
        guard let value = table[key] else { return nil }
        guard let number = value.double ?? value.int.map(Double.init), number >= 0 else {
            problems.append("\(prefix)\(key) must be a number, 0 or more")
            return nil
        }
        return number
    }

    mutating func flag(_ table: TOMLTable, _ prefix: String, _ key: String) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else {
            problems.append("\(prefix)\(key) must be true or false")
            return nil
        }
        return flag
    }

    mutating func list(_ table: TOMLTable, _ prefix: String, _ key: String) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array, array.allSatisfy({ $0.string != nil }) else {
            problems.append("\(prefix)\(key) must be a list of strings, e.g. \(key) = [\"…\"]")
            return nil
        }
        return array.compactMap(\.string)
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ table: TOMLTable, _ prefix: String, _ key: String) -> T?
    where T.RawValue == String {
        guard let value = table[key] else { return nil }
        guard let name = value.string, let choice = T(rawValue: name) else {
            problems.append("\(prefix)\(key) must be one of \(T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
            return nil
        }
        return choice
    }

    /// `[PROVIDER.users]`: address = "state".
    mutating func users<T: RawRepresentable & CaseIterable>(_ table: TOMLTable, _ prefix: String) -> [String: T]
    where T.RawValue == String {
        guard let users = section(table, "users") else { return [:] }
        var result: [String: T] = [:]
        for key in users.keys {
            if let state: T = choice(users, "\(prefix)users.", key) { result[key.lowercased()] = state }
        }
        return result
    }
}
