import Foundation
import GRDB

/// What `bulkgrant status` and `bulkgrant report` read, and the run bookkeeping behind the
/// nightly safeguards. Every query here only reads, except `recordExport`.
extension Ledger {
    // MARK: Binding

    /// The API host the ledger is bound to (`APIEndpoint.identity`), nil before its first run.
    public func boundAPIHost() async throws -> String? {
        try await pool.read { db in
            guard try db.tableExists("meta") else { return nil }
            return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'api_host'")
        }
    }

    /// Whether `runs` has the columns of the v2 migration: a ledger last written by an older
    /// bulkgrant and opened read-only has not been migrated yet.
    static func hasRunExportColumns(_ db: Database) throws -> Bool {
        try db.columns(in: "runs").contains { $0.name == "export_users" }
    }

    // MARK: Runs

    /// Records which provider a run is for and how many users its export holds, so that the
    /// next run can tell whether the export shrank.
    /// - Parameters:
    ///   - organisation: the job organisation the run is for; nil for a single run.
    ///   - scope: the run's `--domain` set ("" for the whole export): runs compare with the last
    ///     run of the same scope.
    ///   - exportUsers: nil for a run that is no baseline (a retry of listed users only).
    public func recordExport(
        runID: Int64, provider: String, organisation: String? = nil, scope: String = "", exportUsers: Int?
    ) async throws {
        do {
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE runs SET provider = ?, organisation = ?, scope = ?, export_users = ? WHERE id = ?",
                    arguments: [provider, organisation, scope, exportUsers, runID])
            }
        } catch {
            throw Ledger.classify(error, path: path)
        }
    }

    /// The export size of the last run of `provider` that read its export, other than runs the
    /// safeguard refused (a refused run must not become the baseline that lets a truncated
    /// export through the next night).
    ///
    /// A job's organisations each compare with their own last export (`organisation`); a
    /// single run (nil) with the last single run's.
    public func previousExportSize(
        provider: String, organisation: String? = nil, scope: String = "", before runID: Int64? = nil
    ) async throws -> Int? {
        try await pool.read { db in
            guard try Self.hasRunExportColumns(db) else { return nil }
            // A read-only ledger from before v3 has no organisation column (only single runs),
            // and one from before v4 no scope (every run read the whole export).
            let columns = Set(try db.columns(in: "runs").map(\.name))
            let hasOrganisation = columns.contains("organisation")
            guard hasOrganisation || organisation == nil else { return nil }
            guard columns.contains("scope") || scope.isEmpty else { return nil }
            var organisationFilter = hasOrganisation ? "AND COALESCE(organisation, '') = ?" : ""
            var arguments: StatementArguments = [provider, runID ?? Int64.max]
            if hasOrganisation { arguments += [organisation ?? ""] }
            if columns.contains("scope") {
                organisationFilter += " AND COALESCE(scope, '') = ?"
                arguments += [scope]
            }
            return try Int.fetchOne(
                db,
                sql: """
                    SELECT export_users FROM runs
                    WHERE provider = ? AND export_users IS NOT NULL AND COALESCE(outcome, '') != 'refused' AND id < ?
                    \(organisationFilter)
                    ORDER BY id DESC LIMIT 1
                    """,
                arguments: arguments)
        }
    }

    /// API calls recorded for users in one run, by call and status (0: no HTTP answer).
    /// Rows written for users matched in a listing (`adopted`, `invalid`) are not calls of their own.
    public func callsByStatus(runID: Int64) async throws -> [CallCount] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT call, COALESCE(status, 0), COUNT(*) FROM attempts
                    WHERE run_id = ? AND outcome NOT IN ('adopted', 'invalid')
                    GROUP BY call, COALESCE(status, 0) ORDER BY call, 2
                    """,
                arguments: [runID]
            ).map { CallCount(call: $0[0], status: $0[1], count: $0[2]) }
        }
    }

    /// Grant ids of these users, where known.
    public func grantIDs(userIDs: [Int64]) async throws -> [Int64: String] {
        guard !userIDs.isEmpty else { return [:] }
        return try await pool.read { db in
            var result: [Int64: String] = [:]
            for chunk in stride(from: 0, to: userIDs.count, by: 500) {
                let ids = userIDs[chunk..<min(userIDs.count, chunk + 500)]
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT id, grant_id FROM users WHERE grant_id IS NOT NULL AND id IN (\(marks))",
                    arguments: StatementArguments(Array(ids)))
                for row in rows { result[row[0]] = row[1] }
            }
            return result
        }
    }

    /// The most recent runs, newest first, with the columns later migrations added.
    /// - Parameter organisation: only that job organisation's runs.
    public func runSummaries(limit: Int = 10, organisation: String? = nil) async throws -> [RunSummary] {
        try await pool.read { db in
            let columns =
                try Self.hasRunExportColumns(db)
                ? "COALESCE(provider, json_extract(options, '$.provider')), export_users"
                : "json_extract(options, '$.provider'), NULL"
            let hasOrganisation = try db.columns(in: "runs").contains { $0.name == "organisation" }
            if organisation != nil && !hasOrganisation { return [] }
            let organisationColumn = hasOrganisation ? "organisation" : "NULL"
            let filter = organisation == nil ? "" : "WHERE organisation = ?"
            var arguments: StatementArguments = organisation.map { [$0] } ?? []
            arguments += [limit]
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT id, started_at, finished_at, \(columns), counts, outcome, exit_code, input_path,
                    \(organisationColumn), options
                    FROM runs \(filter) ORDER BY id DESC LIMIT ?
                    """,
                arguments: arguments
            ).map { row in
                let counts = (row[5] as String?).flatMap { text in
                    try? JSONDecoder().decode([String: Int].self, from: Data(text.utf8))
                }
                let options = (row[10] as String?).flatMap { text in
                    try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))
                }
                return RunSummary(
                    id: row[0], startedAt: row[1], finishedAt: row[2], provider: row[3], exportUsers: row[4],
                    counts: counts ?? [:], outcome: row[6], exitCode: row[7], inputPath: row[8], organisation: row[9],
                    options: options ?? [:])
            }
        }
    }

    // MARK: Users

    /// Users per state, per provider.
    public func stateCountsByProvider(organisation: String? = nil) async throws -> [String: [UserState: Int]] {
        try await pool.read { db in
            var result: [String: [UserState: Int]] = [:]
            let filter = organisation == nil ? "" : " WHERE organisation = ?"
            let arguments: StatementArguments = organisation.map { [$0] } ?? []
            for row in try Row.fetchAll(
                db, sql: "SELECT provider, state, COUNT(*) FROM users\(filter) GROUP BY provider, state", arguments: arguments)
            {
                if let state = UserState(rawValue: row[1]) { result[row[0], default: [:]][state] = row[2] }
            }
            return result
        }
    }

    /// The most common causes of users now failed, deferred or left revoking (and of users left
    /// pending by a cause the catalogue recognised), with one example address each. A
    /// recognised cause is one group whatever the messages said; an unrecognised answer groups
    /// by its status, type and message, as received.
    public func failureReasons(provider: String? = nil, organisation: String? = nil, limit: Int = 10) async throws
        -> [FailureReasonCount]
    {
        try await pool.read { db in
            let raw = "cause IS NULL OR cause LIKE 'http.%' OR cause LIKE 'transport.%'"
            var (sql, arguments) = UserScope(provider: provider, organisation: organisation).and(
                """
                SELECT last_status, last_error_type, COALESCE(last_error_message, ''), COUNT(*), MIN(email),
                  CASE WHEN \(raw) THEN NULL ELSE cause END AS recognised
                FROM users
                WHERE (state IN ('failed', 'deferred', 'revoking') OR (state IN ('pending', 'in_flight') AND NOT (\(raw))))
                  AND last_error_message IS NOT NULL
                """)
            sql += """
                 GROUP BY CASE WHEN \(raw) THEN 'raw|' || IFNULL(last_status, '') || '|' || IFNULL(last_error_type, '')
                   || '|' || IFNULL(last_error_message, '') ELSE cause END
                 ORDER BY 4 DESC, 5 LIMIT ?
                """
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map {
                FailureReasonCount(
                    status: $0[0], type: $0[1], message: $0[2], count: $0[3], example: $0[4], cause: $0[5])
            }
        }
    }

    /// Users with a failed call in at least `minimumRuns` distinct runs, most runs first.
    public func repeatFailures(
        minimumRuns: Int = 3, provider: String? = nil, organisation: String? = nil, limit: Int = 50
    ) async throws
        -> [RepeatFailure]
    {
        try await pool.read { db in
            var (sql, arguments) = UserScope(provider: provider, organisation: organisation, table: "u").and(
                """
                SELECT u.email, u.provider, u.state, COUNT(DISTINCT a.run_id) AS runs, u.last_error_type, u.last_error_message
                FROM attempts a JOIN users u ON u.id = a.user_id
                WHERE a.outcome = 'failed'
                """)
            sql += " GROUP BY a.user_id HAVING runs >= ? ORDER BY runs DESC, u.email LIMIT ?"
            arguments += [minimumRuns, limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                RepeatFailure(
                    email: row[0], provider: row[1], state: UserState(rawValue: row[2]) ?? .failed, runs: row[3],
                    lastErrorType: row[4], lastErrorMessage: row[5])
            }
        }
    }

    /// One page of users ordered by (email, provider), after the given key: a report of a
    /// million users is written page by page instead of being held in memory.
    public func userPage(
        provider: String? = nil, state: UserState? = nil, organisation: String? = nil,
        after key: (email: String, provider: String)? = nil, limit: Int = 5000
    ) async throws -> [UserRecord] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let organisation {
                conditions.append("organisation = ?")
                arguments += [organisation]
            }
            if let provider {
                conditions.append("provider = ?")
                arguments += [provider]
            }
            if let state {
                conditions.append("state = ?")
                arguments += [state.rawValue]
            }
            if let key {
                conditions.append("(email, provider) > (?, ?)")
                arguments += [key.email, key.provider]
            }
            var sql = "SELECT * FROM users"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY email, provider LIMIT ?"
            arguments += [limit]
            return try UserRecord.fetchAll(db, sql: sql, arguments: arguments)
        }
    }
}

/// API calls of one kind and status.
public struct CallCount: Sendable, Hashable, Codable {
    /// `METHOD /path` template.
    public var call: String
    /// HTTP status; 0 when no answer arrived.
    public var status: Int
    public var count: Int

    public init(call: String, status: Int, count: Int) {
        self.call = call
        self.status = status
        self.count = count
    }
}

/// One row of `runs` as `bulkgrant status` shows it.
public struct RunSummary: Sendable, Hashable {
    public var id: Int64
    public var startedAt: Double
    public var finishedAt: Double?
    public var provider: String?
    public var exportUsers: Int?
    public var counts: [String: Int]
    public var outcome: String?
    public var exitCode: Int?
    public var inputPath: String?
    /// The job organisation of the run; nil for a single run.
    public var organisation: String?
    /// The options the run recorded (`max_revoke`, `revoke_departed`, `job`, …; never a secret).
    public var options: [String: String] = [:]

    public var duration: Double? { finishedAt.map { $0 - startedAt } }

    public init(
        id: Int64, startedAt: Double, finishedAt: Double? = nil, provider: String? = nil, exportUsers: Int? = nil,
        counts: [String: Int] = [:], outcome: String? = nil, exitCode: Int? = nil, inputPath: String? = nil,
        organisation: String? = nil, options: [String: String] = [:]
    ) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.provider = provider
        self.exportUsers = exportUsers
        self.counts = counts
        self.outcome = outcome
        self.exitCode = exitCode
        self.inputPath = inputPath
        self.organisation = organisation
        self.options = options
    }
}

/// A last error shared by several users.
public struct FailureReasonCount: Sendable, Hashable {
    public var status: Int?
    public var type: String?
    public var message: String
    public var count: Int
    public var example: String
    /// The failure catalogue's cause id, when it recognised the answer.
    public var cause: String?

    public init(status: Int?, type: String?, message: String, count: Int, example: String, cause: String? = nil) {
        self.status = status
        self.type = type
        self.message = message
        self.count = count
        self.example = example
        self.cause = cause
    }

    /// `HTTP 400 api.invalid_request_error Unable to …`.
    public var reason: String {
        [status.map { "HTTP \($0)" }, type, message.isEmpty ? nil : message].compactMap { $0 }.joined(separator: " ")
    }
}

/// A user whose calls failed in several runs.
public struct RepeatFailure: Sendable, Hashable {
    public var email: String
    public var provider: String
    public var state: UserState
    public var runs: Int
    public var lastErrorType: String?
    public var lastErrorMessage: String?
}

/// Which users a report query reads: one provider's, one organisation's, or all. Keeps the
/// SQL and its arguments together so that the reports filter alike.
struct UserScope {
    var provider: String?
    var organisation: String?
    /// The alias of `users` in the query, if any.
    var table: String?

    /// The conditions, without `WHERE` or `AND`.
    var conditions: [String] {
        let prefix = table.map { $0 + "." } ?? ""
        return (provider == nil ? [] : [prefix + "provider = ?"]) + (organisation == nil ? [] : [prefix + "organisation = ?"])
    }

    var arguments: StatementArguments {
        var arguments: StatementArguments = []
        if let provider { arguments += [provider] }
        if let organisation { arguments += [organisation] }
        return arguments
    }

    /// ` WHERE …`, or nothing.
    var whereClause: String { conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ") }

    /// `sql` (which has a `WHERE` already) with the conditions added.
    func and(_ sql: String) -> (String, StatementArguments) {
        (conditions.reduce(sql) { $0 + " AND " + $1 }, arguments)
    }
}
