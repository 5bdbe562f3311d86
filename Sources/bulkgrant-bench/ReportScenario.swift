import Foundation
import GRDB
import GrantLedger

extension Scenarios {
    /// Issue #18: `bulkgrant report --format html` on a ledger of 100,000 users and 30 runs,
    /// with failures spread over many causes and messages, users failing in every run, and
    /// revocations. Target: under 2 s and under 1 MB, for the whole process.
    static func morningReport() async throws -> [BenchLine] {
        let dir = try Bench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ledger = dir + "/ledger.sqlite"
        let shape = try prepareReportLedger(ledger, users: 100_000, runs: 30)
        let output = dir + "/report.html"
        var walls: [Double] = []
        var rss = 0.0
        for _ in 0..<3 {
            let result = try Bench.timedBinary(
                ["report", "--ledger", ledger, "--format", "html", "--output", output], in: dir)
            walls.append(result.wall)
            rss = max(rss, result.rssMB)
        }
        let bytes = (try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? .max
        let page = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let median = walls.sorted()[walls.count / 2]
        let complete = ["id=\"last-run\"", "id=\"runs\"", "id=\"failures\"", "id=\"departed\"", "id=\"throughput\""]
            .allSatisfy(page.contains)
        return [
            BenchLine(
                name: "morning report, --format html, 100,000 users, 30 runs (bulkgrant binary, median of 3)",
                figure: String(format: "%.2f s, %d KB", median, bytes / 1024), ideal: "2 s, 1,024 KB",
                ratio: max(median / 2, Double(bytes) / 1_048_576), target: "≤ 1.0 (time and size)",
                pass: median < 2 && bytes < 1_048_576 && complete,
                note: String(
                    format: "runs %@ s, peak RSS %.0f MB; ledger: %@", walls.map { String(format: "%.2f", $0) }.joined(separator: "/"),
                    rss, shape))
        ]
    }

    /// A ledger shaped like a large customer's after a month of nights: most users granted, a
    /// few thousand failing (many messages, some in every run), revocations, 30 runs.
    static func prepareReportLedger(_ path: String, users: Int, runs: Int) throws -> String {
        try GrantLedgerBootstrap.create(path)
        let queue = try DatabaseQueue(path: path)
        let day = 86_400.0
        let start = 1_767_225_600.0  // 2026-01-01
        var attempts = 0
        try queue.write { db in
            let run = try db.makeStatement(
                sql: """
                    INSERT INTO runs (id, started_at, finished_at, pid, options, counts, outcome, exit_code, provider, export_users)
                    VALUES (?, ?, ?, 1, ?, ?, ?, ?, 'google', ?)
                    """)
            for index in 1...runs {
                let counts = [
                    "new": index == 1 ? users : 40, "granted": index == 1 ? 0 : users - 3_500, "retry": 3_000,
                    "granted_now": index == 1 ? users - 3_000 : 60, "failed": 2_000, "deferred": 1_000, "departed": 40,
                    "revoked": 40, "api_calls": index == 1 ? users + 900 : 3_300, "rate_limited": index % 7 == 0 ? 12 : 0,
                    "export_users": users,
                ]
                let countsJSON = String(decoding: try JSONEncoder().encode(counts), as: UTF8.self)
                try run.execute(arguments: [
                    index, start + Double(index) * day, start + Double(index) * day + (index == 1 ? 2_300 : 95),
                    #"{"provider":"google","revoke_departed":"true","max_revoke":"10%"}"#, countsJSON,
                    index == runs ? "ok" : "incomplete", index == runs ? 0 : 1, users,
                ])
            }
            let user = try db.makeStatement(
                sql: """
                    INSERT INTO users (id, provider, email, organisation, state, grant_id, attempts, last_status,
                      last_error_type, last_error_message, last_request_id, first_seen_run, last_seen_run, updated_at)
                    VALUES (?, 'google', ?, '', ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                    """)
            let attempt = try db.makeStatement(
                sql: "INSERT INTO attempts (user_id, run_id, at, call, outcome, status, request_id, error_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            for index in 0..<users {
                let id = index + 1
                // A few addresses a hostile export could hold: the page must show them as text.
                let email =
                    index % 10_000 == 7 ? "=cmd|'/c calc'!a\(index)@bench.example" : Bench.email(index)
                let (state, status, type, message): (String, Int?, String?, String?) =
                    switch index % 100 {
                    case 0, 1: ("failed", 400, "api.invalid_request_error", "Unable to authenticate the user with the provider")
                    case 2: ("failed", 403, "grant.access_denied", "Access denied for \(email) <script>alert(1)</script>")
                    case 3: ("deferred", 503, "api.internal_error", "upstream unavailable (request \(index))")
                    case 4: ("revoked", nil, nil, nil)
                    case 5 where index % 200 == 5: ("pending", nil, nil, nil)
                    default: ("granted", nil, nil, nil)
                    }
                let failing = status != nil
                try user.execute(arguments: [
                    id, email, state, state == "granted" ? "grant-\(index)" : nil, failing ? runs : 1, status, type, message,
                    failing ? "req-\(index)" : nil, state == "revoked" ? runs - 1 : runs,
                    start + Double(runs) * day + Double(index % 3600),
                ])
                try attempt.execute(arguments: [
                    id, 1, start + day, "POST /v3/connect/custom", failing ? "failed" : "granted", failing ? status : 201, "r",
                    type,
                ])
                attempts += 1
                if failing && state == "failed" {
                    // Failing every night: one failed attempt per run.
                    for runID in 2...runs {
                        try attempt.execute(arguments: [
                            id, runID, start + Double(runID) * day, "POST /v3/connect/custom", "failed", status, "r", type,
                        ])
                        attempts += 1
                    }
                }
                if state == "revoked" {
                    try attempt.execute(arguments: [
                        id, runs - 1, start + Double(runs - 1) * day, "DELETE /v3/grants/{grantId}", "revoked", 200, "r", nil,
                    ])
                    attempts += 1
                }
            }
        }
        try queue.close()
        return "\(users) users, \(runs) runs, \(attempts) attempts"
    }
}
