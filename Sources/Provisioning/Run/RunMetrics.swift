#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GrantLedger

/// The last run as a Prometheus textfile for node_exporter's textfile collector: timestamp,
/// duration, exit code, users per state, API calls per status, 429s. Holds counts only: no
/// address, no grant id, no secret.
public struct RunMetrics: Sendable {
    public var provider: String
    /// The job organisation, labelled on every sample; nil for a single run.
    public var organisation: String?
    /// Unix seconds when the run ended.
    public var finishedAt: Double
    public var durationSeconds: Double
    public var exitCode: Int32
    /// Users per state in the ledger after the run; nil when the ledger could not be read.
    public var states: [UserState: Int]?
    /// What the run did to users: granted, skipped, failed, …
    public var outcomes: [String: Int]
    public var calls: [CallCount]
    public var rateLimited: Int
    /// Users failed or left by the last run, by the failure catalogue's cause id.
    public var causes: [String: Int] = [:]
    /// The cause that stopped the last run, if a known one did.
    public var stopCause: String?

    public init(
        provider: String, finishedAt: Double, durationSeconds: Double, exitCode: Int32,
        states: [UserState: Int]? = nil, outcomes: [String: Int] = [:], calls: [CallCount] = [], rateLimited: Int = 0
    ) {
        self.provider = provider
        self.finishedAt = finishedAt
        self.durationSeconds = durationSeconds
        self.exitCode = exitCode
        self.states = states
        self.outcomes = outcomes
        self.calls = calls
        self.rateLimited = rateLimited
    }

    /// The metrics of a finished run.
    public init(report: RunReport, finishedAt: Double, states: [UserState: Int]?) {
        self.init(
            provider: report.provider, finishedAt: finishedAt, durationSeconds: report.durationSeconds,
            exitCode: report.exitCode, states: states,
            outcomes: [
                "granted": report.granted, "skipped": report.skipped, "failed": report.failed,
                "deferred": report.deferred, "unfinished": report.unfinished, "adopted": report.adopted,
                "repaired": report.repaired, "departed": report.departed, "revoked": report.revoked,
                "revocations_unfinished": report.revocationsUnfinished, "rejected_rows": report.rejectedRows,
                "export": report.exportUsers, "filtered": report.filtered,
            ],
            calls: report.callsByStatus, rateLimited: report.rateLimited)
        for reason in report.failureReasons { causes[reason.cause, default: 0] += reason.count }
        stopCause = report.stopCause?.cause
    }

    /// The textfile.
    public func render() -> String { Self.render([self]) }

    /// One textfile for several runs (a job's organisations): each family once, with every
    /// run's samples, as the textfile collector requires.
    public static func render(_ runs: [RunMetrics]) -> String {
        var order: [String] = []
        var helps: [String: String] = [:]
        var samples: [String: [String]] = [:]
        for run in runs {
            for family in run.families() {
                if helps[family.name] == nil {
                    order.append(family.name)
                    helps[family.name] = family.help
                }
                samples[family.name, default: []] += family.samples.map { "\(family.name){\($0.0)} \($0.1)" }
            }
        }
        return order.map { name in
            "# HELP \(name) \(helps[name]!)\n# TYPE \(name) gauge\n" + samples[name, default: []].map { $0 + "\n" }.joined()
        }.joined()
    }

    /// Writes several runs' metrics to one textfile, atomically.
    public static func write(_ runs: [RunMetrics], to path: String) throws {
        try writeAtomically(render(runs), to: path, mode: 0o644)
    }

    private func families() -> [(name: String, help: String, samples: [(String, String)])] {
        var out: [(name: String, help: String, samples: [(String, String)])] = []
        var provider = "provider=\"\(Self.escape(self.provider))\""
        if let organisation { provider += ",organisation=\"\(Self.escape(organisation))\"" }
        func family(_ name: String, _ help: String, _ samples: [(String, String)]) {
            out.append((name, help, samples))
        }
        family(
            "bulkgrant_last_run_timestamp_seconds", "Unix time the last bulkgrant run ended.",
            [(provider, Self.number(finishedAt))])
        family(
            "bulkgrant_last_run_duration_seconds", "How long the last run took.",
            [(provider, Self.number(durationSeconds))])
        family(
            "bulkgrant_last_run_exit_code",
            "Exit code of the last run: 0 ok, 1 some users failed or deferred, 2 usage or input error, 3 stopped or refused.",
            [(provider, String(exitCode))])
        if !outcomes.isEmpty {
            family(
                "bulkgrant_last_run_users", "Users by what the last run did with them.",
                outcomes.sorted { $0.key < $1.key }.map { ("\(provider),outcome=\"\(Self.escape($0.key))\"", String($0.value)) })
        }
        family(
            "bulkgrant_last_run_api_calls", "API calls of the last run by method, path template and HTTP status (0: no answer).",
            calls.sorted { ($0.call, $0.status) < ($1.call, $1.status) }.map { call in
                let parts = call.call.split(separator: " ", maxSplits: 1).map(String.init)
                let method = parts.first ?? ""
                let path = parts.count > 1 ? parts[1] : ""
                return (
                    "\(provider),method=\"\(Self.escape(method))\",path=\"\(Self.escape(path))\",status=\"\(call.status)\"",
                    String(call.count)
                )
            })
        family(
            "bulkgrant_last_run_rate_limited_calls", "Answers of the last run that were 429 (rate limited).",
            [(provider, String(rateLimited))])
        if !causes.isEmpty {
            family(
                "bulkgrant_last_run_failures", "Users the last run failed, deferred or left pending, by cause.",
                causes.sorted { $0.key < $1.key }.map { ("\(provider),cause=\"\(Self.escape($0.key))\"", String($0.value)) })
        }
        if let stopCause {
            family(
                "bulkgrant_last_run_stopped_by", "1 when a known cause (delegation, consent, key, secret) stopped the last run.",
                [("\(provider),cause=\"\(Self.escape(stopCause))\"", "1")])
        }
        if let states {
            family(
                "bulkgrant_users", "Users in the ledger by state, after the last run.",
                UserState.allCases.map { ("\(provider),state=\"\($0.rawValue)\"", String(states[$0] ?? 0)) })
        }
        return out
    }

    /// Writes the textfile atomically: a temporary file beside it, then a rename, so that the
    /// collector never reads half a file.
    public func write(to path: String) throws {
        try Self.writeAtomically(render(), to: path, mode: 0o644)
    }

    static func writeAtomically(_ text: String, to path: String, mode: mode_t) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw MetricsFileError(path: path, reason: String(cString: strerror(errno)))
        }
        fchmod(fd, mode)
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw MetricsFileError(path: path, reason: reason)
            }
            written += n
        }
        fsync(fd)
        close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw MetricsFileError(path: path, reason: reason)
        }
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.3f", value) : "0"
    }
}

/// The metrics file could not be written.
public struct MetricsFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write the metrics file \(path): \(reason)" }
}

// File scope, where `write` is the C function rather than `RunMetrics.write(to:)`.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
