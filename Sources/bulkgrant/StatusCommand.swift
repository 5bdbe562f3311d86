import ArgumentParser
import Foundation
import GrantLedger
import Logging
import NylasAPI

/// `bulkgrant status`: what the ledger knows, read-only and without the lock, so that it can be
/// run while a nightly run is going.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show users per state, the last runs, the common failure reasons and users that keep failing.",
        discussion: """
            Reads the ledger without locking or writing it, so it is safe while a run is going.

            Examples:
              bulkgrant status
              bulkgrant status --ledger /var/lib/bulkgrant/bulkgrant.sqlite --json
              bulkgrant status --org acme          # one organisation of a job
            """)

    @Option(help: "The SQLite ledger.")
    var ledger: String = "bulkgrant.sqlite"

    @Option(help: "Only this provider's users and failures.")
    var provider: Provider?

    @Option(name: .customLong("org"), help: "Only this organisation of a multi-organisation job (its name in the job file).")
    var organisation: String?

    @Option(help: "How many of the last runs to show.")
    var runs: Int = 10

    @Option(name: .customLong("min-runs"), help: "Show users whose calls failed in at least this many runs.")
    var minimumRuns: Int = 3

    @Flag(help: "Print one JSON object on standard output.")
    var json = false

    func validate() throws {
        guard runs >= 0 else { throw ValidationError("--runs must be 0 or more") }
        guard minimumRuns >= 1 else { throw ValidationError("--min-runs must be 1 or more") }
    }

    func run() async throws {
        let logger = Console.bootstrapLogging(level: .error)
        let opened = try Console.openLedgerForReading(ledger, logger: logger)
        defer { try? opened.close() }
        try await Console.checkOrganisation(organisation, in: opened)
        let status: LedgerStatus
        do {
            status = try await LedgerStatus.read(
                opened, provider: provider?.rawValue, organisation: organisation, runs: runs, minimumRuns: minimumRuns)
        } catch {
            Console.error("ledger \(ledger): \(error)")
            throw Exit.input
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            Console.out(String(decoding: try encoder.encode(status), as: UTF8.self) + "\n")
        } else {
            Console.out(status.text(minimumRuns: minimumRuns))
        }
    }
}

/// The status, as printed and as JSON.
struct LedgerStatus: Codable {
    struct Run: Codable {
        var id: Int64
        var provider: String?
        var organisation: String?
        var startedAt: String
        var finishedAt: String?
        var durationSeconds: Double?
        var outcome: String
        var exitCode: Int?
        var exportUsers: Int?
        var counts: [String: Int]

        enum CodingKeys: String, CodingKey {
            case id, provider, organisation, outcome, counts
            case startedAt = "started_at"
            case finishedAt = "finished_at"
            case durationSeconds = "duration_s"
            case exitCode = "exit_code"
            case exportUsers = "export_users"
        }
    }

    struct Reason: Codable {
        var reason: String
        var status: Int?
        var type: String?
        var message: String
        var count: Int
        var example: String
        /// The failure catalogue's cause id, when it recognised the answer.
        var cause: String?
        var fix: String?
    }

    struct Repeat: Codable {
        var email: String
        var provider: String
        var state: String
        var runs: Int
        var lastError: String?

        enum CodingKeys: String, CodingKey {
            case email, provider, state, runs
            case lastError = "last_error"
        }
    }

    var ledger: String
    var apiHost: String?
    /// Users per state, per provider.
    var users: [String: [String: Int]]
    var runs: [Run]
    var failureReasons: [Reason]
    /// Failed users sitting runs out, per provider.
    var resting: [String: Int]
    var repeatFailures: [Repeat]

    enum CodingKeys: String, CodingKey {
        case ledger, users, runs
        case apiHost = "api_host"
        case failureReasons = "failure_reasons"
        case resting
        case repeatFailures = "repeat_failures"
    }

    static func read(_ ledger: Ledger, provider: String?, organisation: String? = nil, runs: Int, minimumRuns: Int)
        async throws -> LedgerStatus
    {
        var users: [String: [String: Int]] = [:]
        for (name, states) in try await ledger.stateCountsByProvider(organisation: organisation)
        where provider == nil || name == provider {
            users[name] = Dictionary(uniqueKeysWithValues: states.map { ($0.key.rawValue, $0.value) })
        }
        let summaries = try await ledger.runSummaries(limit: runs, organisation: organisation)
            .filter { provider == nil || $0.provider == nil || $0.provider == provider }
        return LedgerStatus(
            ledger: ledger.path, apiHost: try await ledger.boundAPIHost(), users: users,
            runs: summaries.map { run in
                Run(
                    id: run.id, provider: run.provider, organisation: run.organisation, startedAt: timestamp(run.startedAt),
                    finishedAt: run.finishedAt.map(timestamp), durationSeconds: run.duration,
                    outcome: run.outcome ?? (run.finishedAt == nil ? "unfinished" : "unknown"), exitCode: run.exitCode,
                    exportUsers: run.exportUsers ?? run.counts["export_users"], counts: run.counts)
            },
            failureReasons: try await ledger.failureReasons(provider: provider, organisation: organisation).map {
                let entry = $0.cause.flatMap { FailureCatalogue.entry($0) }
                return Reason(
                    reason: entry?.meaning ?? $0.reason, status: $0.status, type: $0.type, message: $0.message,
                    count: $0.count, example: $0.example, cause: $0.cause, fix: entry?.fix)
            },
            resting: try await restingCounts(ledger, provider: provider, organisation: organisation),
            repeatFailures: try await ledger.repeatFailures(
                minimumRuns: minimumRuns, provider: provider, organisation: organisation
            ).map {
                Repeat(
                    email: $0.email, provider: $0.provider, state: $0.state.rawValue, runs: $0.runs,
                    lastError: [$0.lastErrorType, $0.lastErrorMessage].compactMap { $0 }.joined(separator: " ")
                        .nilIfEmpty)
            })
    }

    func text(minimumRuns: Int) -> String {
        var lines = ["Ledger \(ledger)" + (apiHost.map { " (API \($0))" } ?? "")]
        lines.append("Users:")
        if users.isEmpty { lines.append("  none yet") }
        for (provider, states) in users.sorted(by: { $0.key < $1.key }) {
            let total = states.values.reduce(0, +)
            let parts = UserState.allCases.compactMap { state in
                states[state.rawValue].map { "\($0) \(state.rawValue)" }
            }
            lines.append("  \(provider.padding(toLength: 10, withPad: " ", startingAt: 0)) \(total) users: " + parts.joined(separator: " · "))
        }
        lines.append("Last runs (newest first):")
        if runs.isEmpty { lines.append("  none yet") }
        for run in runs {
            var line = "  #\(run.id)  \(run.startedAt)"
            line += run.durationSeconds.map { String(format: "  %.1f s", $0) } ?? "  -"
            line += "  \(run.outcome == "unfinished" ? "unfinished (running, or killed)" : run.outcome)"
            if let code = run.exitCode { line += " (exit \(code))" }
            if let provider = run.provider { line += "  \(provider)" }
            if let organisation = run.organisation, !organisation.isEmpty { line += " '\(organisation)'" }
            if let export = run.exportUsers { line += "  export \(export)" }
            let shown: [(String, String)] = [
                ("new", "new"), ("granted_now", "granted"), ("granted", "skipped"), ("adopted", "adopted"),
                ("repair", "repaired"), ("failed", "failed"), ("deferred", "deferred"), ("resting", "resting"), ("departed", "departed"),
                ("revoked", "revoked"), ("filtered", "filtered"), ("api_calls", "calls"),
            ]
            let counts = shown.compactMap { key, label in
                run.counts[key].flatMap { $0 != 0 || key == "api_calls" ? "\(label) \($0)" : nil }
            }
            if !counts.isEmpty { line += ": " + counts.joined(separator: " · ") }
            lines.append(line)
        }
        lines.append("Most common failure causes:")
        if failureReasons.isEmpty { lines.append("  none") }
        for reason in failureReasons {
            lines.append("  \(reason.count) × " + (reason.cause.map { "\($0): " } ?? "") + "\(reason.reason) (e.g. \(reason.example))")
            if let fix = reason.fix { lines.append("      fix: \(fix)") }
        }
        for (provider, count) in resting.sorted(by: { $0.key < $1.key }) where count > 0 {
            lines.append(
                "  \(count) \(provider) \(count == 1 ? "user fails" : "users fail") for the same reason run after run: tried after 1, 3, then every 7 runs instead of every run (run --retry-resting tries them at once)")
        }
        lines.append("Users failing in \(minimumRuns) or more runs:")
        if repeatFailures.isEmpty { lines.append("  none") }
        for user in repeatFailures {
            lines.append(
                "  \(user.email) (\(user.provider), now \(user.state)): failed in \(user.runs) runs"
                    + (user.lastError.map { "; last: \($0)" } ?? ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func restingCounts(_ ledger: Ledger, provider: String?, organisation: String?) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for name in Provider.allCases.map(\.rawValue) where provider == nil || provider == name {
            counts[name] = try await ledger.restingUsers(provider: name, organisation: organisation).count
        }
        return counts
    }

    static func timestamp(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
