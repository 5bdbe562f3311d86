import Foundation
import Logging
import Provisioning

/// The live progress line on a terminal (redrawn twice a second), or a plain log line every
/// five seconds when standard error is a file or a pipe, as under cron.
final class ProgressPrinter: @unchecked Sendable {
    private let live: Bool
    /// With `--log-format json`, progress goes out as info-level log lines instead.
    private let logger: Logger?
    private var task: Task<Void, Never>?
    private let lock = NSLock()

    init(live: Bool, logger: Logger? = nil) {
        self.live = live
        self.logger = logger
    }

    func start(_ progress: RunProgress) {
        let live = self.live
        let logger = self.logger
        let task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(live ? 500 : 5000))
                if Task.isCancelled { break }
                let snapshot = await progress.snapshot()
                if let logger {
                    logger.info(
                        "progress",
                        metadata: [
                            "run.done": "\(snapshot.done)", "run.total": "\(snapshot.total)",
                            "run.granted": "\(snapshot.granted)", "run.failed": "\(snapshot.failed)",
                            "run.deferred": "\(snapshot.deferred)", "run.api_calls": "\(snapshot.apiCalls)",
                        ])
                    continue
                }
                let line = Self.line(snapshot)
                Console.stderr(live ? "\r\u{1B}[K" + line : "bulkgrant: " + line + "\n")
            }
        }
        lock.withLock { self.task = task }
    }

    func stop() async {
        let task = lock.withLock { self.task }
        task?.cancel()
        await task?.value
        if live && task != nil { Console.stderr("\r\u{1B}[K") }
    }

    static func line(_ snapshot: RunProgress.Snapshot) -> String {
        var text = "\(snapshot.done)/\(snapshot.total) done"
        text += String(format: " · %.1f users/s", snapshot.rate)
        if let eta = snapshot.eta, snapshot.done < snapshot.total { text += " · ETA \(Self.duration(eta))" }
        text += " · \(snapshot.granted) granted"
        if snapshot.failed > 0 { text += " · \(snapshot.failed) failed" }
        if snapshot.deferred > 0 { text += " · \(snapshot.deferred) deferred" }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3600)h\(String(format: "%02d", (total % 3600) / 60))m"
    }
}
