import ArgumentParser
import Foundation
import GrantLedger
import Logging

/// Output helpers shared by the commands.
enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("bulkgrant: " + text + "\n").utf8))
    }

    /// Standard output, unbuffered so that a caller reading a pipe sees it at once.
    static func out(_ text: String) {
        Stdout.write(text)
    }

    /// One JSON object on standard output, keys sorted so that runs diff cleanly.
    static func json(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        out(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// Opens a ledger to read it (no lock, no write); an unusable one is an input error.
    static func openLedgerForReading(_ path: String, logger: Logger) throws -> Ledger {
        do {
            return try Ledger.openReadOnly(path: path, logger: logger)
        } catch {
            Console.error("\(error)")
            throw Exit.input
        }
    }

    static func stderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Sets up swift-log once, to standard error.
    /// "1 rejected row", "2 rejected rows": a count with its noun, singular or plural.
    static func counted(_ count: Int, _ singular: String, plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
    }

    private static let bootstrapLock = NSLock()
    nonisolated(unsafe) private static var bootstrapped = false

    static func bootstrapLogging(level: Logger.Level) -> Logger {
        // swift-log traps on a second bootstrap; a command may reach here through two helpers.
        bootstrapLock.withLock {
            guard !bootstrapped else { return }
            bootstrapped = true
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "bulkgrant")
        logger.logLevel = level
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

extension Console {
    /// `--org NAME` must name an organisation the ledger knows: a typo would show an empty,
    /// reassuring ledger.
    static func checkOrganisation(_ organisation: String?, in ledger: Ledger) async throws {
        guard let organisation else { return }
        let names = (try? await ledger.organisationNames()) ?? []
        guard names.contains(organisation) else {
            Console.error(
                names.isEmpty
                    ? "--org \(organisation): this ledger has no organisations (only 'bulkgrant run --job' records them)"
                    : "--org \(organisation): no such organisation in this ledger; it has: \(names.joined(separator: ", "))")
            throw Exit.input
        }
    }
}
