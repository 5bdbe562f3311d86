import Foundation
import Logging
import NylasAPI

/// `--log-format json`: one JSON object per line, with the time, level, logger label and
/// message, and each metadata entry under its dotted key (`user.email`, `http.status`,
/// `nylas.request_id`); nested metadata dictionaries are flattened to dotted keys too. Values
/// logged as `.stringConvertible` integers, doubles or booleans are JSON numbers and booleans.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: JSONLogSink

    public init(label: String, sink: JSONLogSink, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        sink.emit(Self.line(level: event.level, label: label, message: event.message.description, metadata: merged, at: Date()))
    }

    /// One log line (without the newline).
    static func line(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, at date: Date)
        -> String
    {
        var fields: [(String, String)] = [
            ("ts", JSONText.string(Self.timestamp(date))), ("level", JSONText.string(level.rawValue)),
            ("logger", JSONText.string(label)), ("message", JSONText.string(message)),
        ]
        let reserved = Set(fields.map(\.0))
        var flat: [(String, Logger.Metadata.Value)] = []
        flatten(metadata, prefix: "", into: &flat)
        for (key, value) in flat.sorted(by: { $0.0 < $1.0 }) {
            fields.append((reserved.contains(key) ? "metadata." + key : key, render(value)))
        }
        return "{" + fields.map { JSONText.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    private static func flatten(_ metadata: Logger.Metadata, prefix: String, into result: inout [(String, Logger.Metadata.Value)]) {
        for (key, value) in metadata {
            let name = prefix.isEmpty ? key : prefix + "." + key
            if case .dictionary(let nested) = value {
                flatten(nested, prefix: name, into: &result)
            } else {
                result.append((name, value))
            }
        }
    }

    private static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return JSONText.string(text)
        case .stringConvertible(let convertible):
            // Counts, statuses and durations are numbers, so that a log query can compare them.
            switch convertible {
            case let number as any BinaryInteger: return "\(number)"
            case let number as Double where number.isFinite: return "\(number)"
            case let flag as Bool: return flag ? "true" : "false"
            default: return JSONText.string(convertible.description)
            }
        case .array(let values): return "[" + values.map(render).joined(separator: ",") + "]"
        case .dictionary(let nested):
            return "{" + nested.sorted { $0.key < $1.key }.map { JSONText.string($0.key) + ":" + render($0.value) }
                .joined(separator: ",") + "}"
        }
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

/// Where JSON log lines go: one whole line per write, so that lines from concurrent tasks never
/// interleave. Strings registered with `redact` (the API key) never reach the output, wherever
/// they appear.
public final class JSONLogSink: @unchecked Sendable {
    private let lock = NSLock()
    private let write: @Sendable (String) -> Void
    private var secrets: [String] = []

    /// - Parameter write: receives each line, newline included.
    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// A sink writing to standard error.
    public static func standardError() -> JSONLogSink {
        JSONLogSink { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Never writes `secret`: every occurrence becomes `[redacted]`.
    public func redact(_ secret: String) {
        lock.withLock { secrets.append(secret) }
    }

    func emit(_ line: String) {
        lock.withLock {
            var text = line
            for secret in secrets { text = Redaction.redact(secret, in: text) }
            write(text + "\n")
        }
    }
}

/// JSON string literals, escaped by hand so that a log line is written in one piece and keys
/// keep their order.
enum JSONText {
    static func string(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
