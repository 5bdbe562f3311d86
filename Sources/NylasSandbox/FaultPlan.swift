/// What can go wrong with a sandbox answer, and how often.
///
/// An injected status answers *instead of* doing the work. `drop` and `hang` do the work and
/// then lose the answer (the connection closes, or nothing comes back before the client's
/// timeout): the case a client cannot tell apart from a failure.
public struct FaultPlan: Sendable, Hashable {
    /// Probability per status code (429, 500, 502, 503, 504, or any other error status).
    public var statusProbabilities: [Int: Double] = [:]
    /// Probability that the work is done and the connection then closes with no full answer.
    public var drop: Double = 0
    /// Probability that the work is done and the answer is held for `hangSeconds`.
    public var hang: Double = 0
    /// Probability of a 502 with an HTML page as body, as a proxy would send.
    public var html: Double = 0
    /// Probability of a 500 with an empty body.
    public var empty: Double = 0
    /// Latency added to every answer, in milliseconds, drawn uniformly from this range.
    public var latencyMs: ClosedRange<Double> = 0...0
    /// How long a hung answer is held before it is sent anyway.
    public var hangSeconds: Double = 30
    /// `Retry-After` sent with injected 429s (nil: none, as Nylas may omit it).
    public var retryAfter: RetryAfterStyle? = .seconds(1)
    /// A burst of 429s for every request during `duration` seconds out of every `every` seconds.
    public var throttleBurst: ThrottleBurst?

    public init() {}

    /// How an injected 429 states its `Retry-After`.
    public enum RetryAfterStyle: Sendable, Hashable {
        case seconds(Int)
        case httpDate(secondsFromNow: Int)
    }

    /// Periodic windows in which every request is throttled.
    public struct ThrottleBurst: Sendable, Hashable {
        public var every: Double
        public var duration: Double
        public init(every: Double, duration: Double) {
            self.every = every
            self.duration = duration
        }
    }

    /// Whether this plan injects anything at all.
    public var isQuiet: Bool {
        statusProbabilities.values.allSatisfy { $0 <= 0 } && drop <= 0 && hang <= 0 && html <= 0 && empty <= 0
            && throttleBurst == nil
    }

    /// Parses `500=0.05,502=0.01,drop=0.02,hang=0.001,html=0.01,empty=0.01`.
    public static func parse(_ text: String) throws -> FaultPlan {
        var plan = FaultPlan()
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let probability = Double(parts[1]), (0...1).contains(probability) else {
                throw SandboxError(
                    "bad fault '\(item)': write KIND=PROBABILITY with a probability from 0 to 1, e.g. 500=0.05,drop=0.02")
            }
            switch parts[0].lowercased() {
            case "drop": plan.drop = probability
            case "hang": plan.hang = probability
            case "html": plan.html = probability
            case "empty": plan.empty = probability
            default:
                guard let status = Int(parts[0]), (400...599).contains(status) else {
                    throw SandboxError(
                        "unknown fault '\(parts[0])': use an HTTP error status (429, 500, 502, 503, 504) or drop, hang, html, empty")
                }
                plan.statusProbabilities[status] = probability
            }
        }
        return plan
    }

    /// Parses `EVERY:DURATION` seconds, e.g. `5:0.5` for half a second of 429s every 5 s.
    public static func parseThrottleBurst(_ text: String) throws -> ThrottleBurst {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            .map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let every = parts[0], let duration = parts[1], every > 0, duration > 0,
            duration < every
        else {
            throw SandboxError(
                "bad throttle burst '\(text)': write EVERY:DURATION in seconds with 0 < DURATION < EVERY, e.g. 5:0.5")
        }
        return ThrottleBurst(every: every, duration: duration)
    }

    /// Parses `MIN` or `MIN-MAX` milliseconds.
    public static func parseLatency(_ text: String) throws -> ClosedRange<Double> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0 != nil && $0! >= 0 }) else {
            throw SandboxError("bad latency '\(text)': write MIN or MIN-MAX in milliseconds, e.g. 200-400")
        }
        let low = parts[0]!
        let high = parts.count == 2 ? parts[1]! : low
        guard low <= high else { throw SandboxError("bad latency '\(text)': MIN is larger than MAX") }
        return low...high
    }
}

import Foundation
