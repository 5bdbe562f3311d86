import GrantLedger

/// A run's outcome in words, with a symbol and a tone: the report never says it by colour alone.
public struct RunOutcome: Sendable, Hashable {
    public enum Tone: String, Sendable {
        case good, warning, bad, neutral
    }

    /// `ok`, `incomplete`, `stopped`, `refused`, `unfinished` or `unknown`.
    public var key: String
    public var word: String
    public var symbol: String
    public var tone: Tone
    /// Higher is worse: a job's outcome is its worst organisation's.
    public var severity: Int

    public init(_ run: RunSummary) {
        self.init(key: run.outcome ?? (run.finishedAt == nil ? "unfinished" : "unknown"))
    }

    public init(key: String) {
        self.key = key
        switch key {
        case "ok": (word, symbol, tone, severity) = ("OK", "✓", .good, 0)
        case "incomplete": (word, symbol, tone, severity) = ("Incomplete", "!", .warning, 1)
        case "unfinished": (word, symbol, tone, severity) = ("Unfinished (running, or killed)", "…", .neutral, 2)
        case "stopped": (word, symbol, tone, severity) = ("Stopped", "✗", .bad, 3)
        case "refused": (word, symbol, tone, severity) = ("Refused by the safeguard", "✗", .bad, 3)
        default: (word, symbol, tone, severity) = ("Outcome unknown", "?", .neutral, 2)
        }
    }
}
