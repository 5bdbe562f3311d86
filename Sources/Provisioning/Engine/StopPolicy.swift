import NylasAPI

/// Decides, from the causes of failed calls, when the run (or a job's organisation) must stop:
/// at once for Nylas's own refusals of the key, credential or connector; after `repeats`
/// identical credential-wide causes in a row (delegation, consent, key, secret); and, as the
/// net for what the catalogue does not know, after `breakerThreshold` identical unrecognised
/// refusals in a row. A user-reach cause that the catalogue recognises never stops the run.
actor StopPolicy {
    private let repeats: Int
    private let breakerThreshold: Int
    private var streakKey: String?
    private var streak = 0

    init(repeats: Int, breakerThreshold: Int) {
        self.repeats = repeats
        self.breakerThreshold = breakerThreshold
    }

    /// Counts one failed call; returns why to stop, when it is time.
    func observe(_ diagnosis: Diagnosis, _ error: NylasError, example: String) -> RunControl.StopReason? {
        if diagnosis.stopsAtOnce || diagnosis.reach == .application {
            return .cause(StopCause(diagnosis: diagnosis, answers: 1, example: example, error: error.description))
        }
        let counted: Int
        switch diagnosis.reach {
        case .credential:
            counted = max(1, repeats)
        case .user where !diagnosis.recognised:
            counted = breakerThreshold
        default:
            return nil
        }
        // Unrecognised answers are "the same" when their status, type and provider code are;
        // the message may name the user.
        let key = diagnosis.recognised ? diagnosis.cause : Self.key(error)
        if key == streakKey {
            streak += 1
        } else {
            streakKey = key
            streak = 1
        }
        guard counted > 0, streak >= counted else { return nil }
        if diagnosis.recognised {
            return .cause(StopCause(diagnosis: diagnosis, answers: streak, example: example, error: error.description))
        }
        return .breaker("\(streak) users in a row failed with the same error: \(error.description)")
    }

    func succeeded() {
        streakKey = nil
        streak = 0
    }

    static func key(_ error: NylasError) -> String {
        let provider = error.providerError?["error"]?.compactDescription ?? error.providerError?.compactDescription ?? ""
        return "\(error.status ?? 0)|\(error.type ?? "")|\(provider)"
    }
}

/// A stop for a known cause: what it is, how many answers said so, and one of them.
public struct StopCause: Sendable, Hashable {
    public var diagnosis: Diagnosis
    /// Identical answers met before stopping.
    public var answers: Int
    /// The address of one user whose call met it.
    public var example: String
    /// The last answer, as received (redacted of secrets).
    public var error: String

    public init(diagnosis: Diagnosis, answers: Int, example: String, error: String) {
        self.diagnosis = diagnosis
        self.answers = answers
        self.example = example
        self.error = error
    }
}

/// The run's allowance of retries, so that a failing API is not hammered.
actor RetryBudget {
    private var remaining: Int

    init(_ limit: Int) {
        remaining = limit
    }

    func take() -> Bool {
        guard remaining > 0 else { return false }
        remaining -= 1
        return true
    }
}

extension StopCause {
    /// One paragraph for the summary, the logs and the run's record: the cause, how it showed,
    /// and the fix.
    public var summary: String {
        let seen = answers == 1 ? "answered for \(example)" : "\(answers) identical answers in a row, e.g. for \(example)"
        var text = "\(diagnosis.cause): \(diagnosis.meaning) (\(seen); last answer: \(error))."
        if !diagnosis.fix.isEmpty { text += " Fix: \(diagnosis.fix)." }
        text += " Nothing is wrong with the users: they stay pending, and the next run after the fix takes them."
        return text
    }
}
