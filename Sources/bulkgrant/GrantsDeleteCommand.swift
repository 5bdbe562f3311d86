import ArgumentParser
import Foundation
import GrantLedger
import Logging
import NylasAPI

/// `bulkgrant grants delete ID...`: deletes grants, after a confirmation unless `--yes`.
struct GrantsDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete grants (asks first unless --yes) and record it in the ledger.",
        discussion: """
            Without --yes the grants are shown and you are asked to confirm; when standard input \
            is not a terminal (cron, a pipe) the command refuses, exit 2, rather than guess. A \
            grant the ledger knows is recorded there as revoked; a user still in the HR export \
            gets a new grant on the next run. Exits 1 when some id could not be deleted (not \
            found), 3 when the API refused the key or kept failing.

            Examples:
              bulkgrant grants delete 0b6c6a0e-6c1f-4a4e-9d47-0c2f1b4a9e11
              bulkgrant grants delete ID1 ID2 --yes --ledger /var/lib/bulkgrant/bulkgrant.sqlite
            """)

    @Argument(help: "The ids of the grants to delete.")
    var ids: [String]

    @Flag(help: "Delete without asking (needed when standard input is not a terminal).")
    var yes = false

    @Option(help: "The ledger to record deletions in, when the file exists (default ./bulkgrant.sqlite).")
    var ledger: String?

    @Flag(help: "Print the outcome of each id as JSON.")
    var json = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func validate() throws {
        guard !ids.isEmpty else { throw ValidationError("give at least one grant id") }
        guard ids.allSatisfy({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw ValidationError("a grant id must not be empty")
        }
    }

    func run() async throws {
        guard yes || Confirmation.stdinIsTerminal else {
            Console.error(
                "refusing to delete \(ids.count) grant(s) without confirmation: standard input is not a terminal; pass --yes to delete non-interactively")
            throw Exit.input
        }
        let unique = ids.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let configuration = try AdminCall.configuration(api)
        let openedLedger = try openLedger(apiIdentity: configuration.endpoint.identity)
        defer { try? openedLedger?.close() }
        var outcomes: [GrantDeleter.Outcome] = []
        do {
            try await AdminCall.run(configuration) { client in
                if !yes, !(try await confirm(unique, client: client, ledger: openedLedger)) {
                    Console.error("nothing deleted")
                    throw Exit.incomplete
                }
                let deleter = GrantDeleter(client: client, ledger: openedLedger)
                for id in unique {
                    let outcome = try await deleter.delete(id)
                    outcomes.append(outcome)
                    if !json { report(outcome) }
                }
            }
        } catch let error as LedgerError {
            Console.error("\(error)")
            throw Exit.stopped
        } catch {
            if json { printJSON(outcomes) }
            throw error
        }
        if json { printJSON(outcomes) }
        let deleted = outcomes.filter(\.deleted).count
        if !json && unique.count > 1 { Stdout.write("deleted \(deleted) of \(unique.count) grants\n") }
        if deleted < unique.count { throw Exit.incomplete }
    }

    /// The ledger, when its file exists; a locked ledger (a run holds it) stops the command
    /// before anything is deleted.
    private func openLedger(apiIdentity: String) throws -> Ledger? {
        let path = ledger ?? "bulkgrant.sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            if ledger != nil { Console.error("no ledger at \(path): the deletions are not recorded in one") }
            return nil
        }
        do {
            var logger = Logger(label: "bulkgrant")
            logger.logLevel = .warning
            return try Ledger.open(path: path, apiIdentity: apiIdentity, logger: logger)
        } catch let error as LedgerError {
            Console.error("\(error)")
            throw error.code == .locked ? Exit.stopped : Exit.input
        }
    }

    /// Shows what would be deleted and asks. Ids Nylas does not know are listed as such.
    private func confirm(_ ids: [String], client: NylasClient, ledger: Ledger?) async throws -> Bool {
        Console.stderr("About to delete \(ids.count) grant\(ids.count == 1 ? "" : "s"):\n")
        for id in ids {
            let known = try await ledger?.user(grantID: id).map { " [ledger: \($0.email), \($0.state.rawValue)]" } ?? ""
            do {
                let grant = try await Retrying.idempotent { try await client.getGrant(id: id) }
                Console.stderr("  \(id)  \(grant.provider)  \(grant.email ?? "-")  \(grant.grantStatus ?? "-")\(known)\n")
            } catch let error as NylasError where error.status == 404 {
                Console.stderr("  \(id)  (not found at Nylas)\(known)\n")
            }
        }
        return Confirmation.ask("Delete \(ids.count == 1 ? "it" : "them")?")
    }

    private func report(_ outcome: GrantDeleter.Outcome) {
        let ledgerNote = outcome.ledgerState.map { ", ledger: \(outcome.email ?? "user") \($0)" } ?? ""
        if outcome.deleted {
            Stdout.write("deleted \(outcome.id)\(ledgerNote)\(outcome.requestID.map { " [request_id \($0)]" } ?? "")\n")
        } else {
            Console.error("not deleted \(outcome.id): \(outcome.error ?? "unknown error")\(ledgerNote)")
        }
    }

    private func printJSON(_ outcomes: [GrantDeleter.Outcome]) {
        let deleted = outcomes.filter(\.deleted).count
        let items = outcomes.map { JSONLine.encode($0) }.joined(separator: ",\n")
        Stdout.write("{\"deleted\":\(deleted),\"failed\":\(outcomes.count - deleted),\"results\":[\n\(items)\n]}\n")
    }
}
