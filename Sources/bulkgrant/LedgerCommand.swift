import ArgumentParser
import Foundation
import GrantLedger

/// `bulkgrant ledger`: care of the ledger file itself.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Back up the ledger safely, even while a run holds it.",
        discussion: """
            The ledger runs in SQLite's WAL mode: between checkpoints, recent commits live in \
            bulkgrant.sqlite-wal beside it. Every clean end of a run folds them back into the \
            .sqlite file, so a cp taken after a run is complete; a cp taken during a run, or of the \
            .sqlite file without its -wal after a kill, is not. 'ledger backup' is always safe.
            """,
        subcommands: [LedgerBackupCommand.self])
}

/// `bulkgrant ledger backup FILE`: SQLite's online backup of one consistent snapshot.
struct LedgerBackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the ledger to a new file with SQLite's online backup, checked with integrity_check.",
        discussion: """
            Reads one consistent snapshot without taking the run lock, so it may run while a \
            nightly run writes the ledger. The copy is one self-contained file (no -wal beside \
            it), mode 0600, checked with PRAGMA integrity_check before the command says it is done.

            Exit codes: 0 backed up and checked · 2 usage error, no such ledger, or the \
            destination exists · 3 the copy could not be written or failed its check.

            Examples:
              bulkgrant ledger backup /var/backups/bulkgrant-$(date +%F).sqlite
              bulkgrant ledger backup copy.sqlite --ledger /var/lib/bulkgrant/bulkgrant.sqlite
            """)

    @Argument(help: ArgumentHelp("The file to write; it must not exist yet.", valueName: "file"))
    var destination: String

    @Option(help: "The ledger to back up.")
    var ledger: String = "bulkgrant.sqlite"

    func run() async throws {
        let logger = Console.bootstrapLogging(level: .error)
        guard !FileManager.default.fileExists(atPath: destination) else {
            Console.error("\(destination) already exists; name a new file, or remove it first")
            throw Exit.input
        }
        let opened = try Console.openLedgerForReading(ledger, logger: logger)
        defer { try? opened.close() }
        do {
            try opened.backup(to: destination)
            let copy = try Ledger.openReadOnly(path: destination, logger: logger)
            defer { try? copy.close() }
            let check = try await copy.integrityCheck()
            guard check == "ok" else {
                Console.error("the backup \(destination) failed its integrity check: \(check); try again")
                throw Exit.stopped
            }
            let users = try await copy.stateCounts().values.reduce(0, +)
            Stdout.write("backed up \(ledger) to \(destination): \(users) user\(users == 1 ? "" : "s"), integrity ok\n")
        } catch let error as LedgerError {
            Console.error("\(error)")
            throw Exit.stopped
        }
    }
}
