import ArgumentParser
import Foundation
import Logging
import Provisioning

/// `--log-format`: plain text lines, or one JSON object per line with dotted keys.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// The process's logging, set up once: swift-log to standard error in the chosen format.
struct LogOutput {
    let logger: Logger
    /// The JSON sink, to which secrets are registered once known; nil for text.
    let sink: JSONLogSink?

    var isJSON: Bool { sink != nil }

    static func bootstrap(level: Logger.Level, format: LogFormat) -> LogOutput {
        guard format == .json else {
            return LogOutput(logger: Console.bootstrapLogging(level: level), sink: nil)
        }
        let sink = JSONLogSink.standardError()
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label, sink: sink)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "bulkgrant")
        logger.logLevel = level
        return LogOutput(logger: logger, sink: sink)
    }

    /// A message for the operator: a plain `bulkgrant: …` line, or an error-level JSON line.
    func error(_ text: String, metadata: Logger.Metadata = [:]) {
        if isJSON {
            logger.error("\(text)", metadata: metadata)
        } else {
            Console.error(text)
        }
    }

    /// A warning the operator should read even at the default log level.
    func warning(_ text: String) {
        if isJSON {
            logger.warning("\(text)")
        } else {
            Console.stderr("bulkgrant: warning: " + text + "\n")
        }
    }
}
