import ArgumentParser
import Foundation
import NylasAPI

/// `bulkgrant credentials delete --provider P ID`: after a confirmation unless `--yes`.
struct CredentialsDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a credential (asks first unless --yes).",
        discussion: """
            Without --yes the credential is shown and you are asked to confirm; when standard \
            input is not a terminal (cron, a pipe) the command refuses, exit 2, rather than guess. \
            Once deleted, Nylas can no longer authenticate users with it: `bulkgrant run \
            --credential-id` with its id stops at once. A retry after a first try whose answer was \
            lost meets a 404: that is reported as deleted. Exits 1 when there is no such \
            credential (or you answered no), 3 when the API refused the key or kept failing.

            Examples:
              bulkgrant credentials delete --provider google CRED_ID
              bulkgrant credentials delete --provider microsoft ID --yes
            """)

    @Option(help: "google or microsoft.")
    var provider: Provider

    @Argument(help: "The id of the credential to delete (see bulkgrant credentials list).")
    var id: String

    @Flag(help: "Delete without asking (needed when standard input is not a terminal).")
    var yes = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func validate() throws {
        guard !id.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("the credential id must not be empty")
        }
    }

    /// Runs `body`; a 404 for an id that belongs to the other provider says so, instead of
    /// "not found".
    static func namingTheOtherProvider<T>(
        _ client: NylasClient, id: String, provider: Provider, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let error as NylasError where error.status == 404 {
            if case .otherProvider(let other, _) = try await client.locateCredential(id: id, provider: provider) {
                Console.error(
                    "credential \(id) belongs to \(other.rawValue), not \(provider.rawValue): nothing deleted; rerun with --provider \(other.rawValue)")
                throw Exit.incomplete
            }
            throw error
        }
    }

    func run() async throws {
        guard yes || Confirmation.stdinIsTerminal else {
            Console.error(
                "refusing to delete credential \(id) without confirmation: standard input is not a terminal; pass --yes to delete non-interactively")
            throw Exit.input
        }
        let configuration = try AdminCall.configuration(api)
        let answer = try await AdminCall.run(configuration) { client in
            try await Self.namingTheOtherProvider(client, id: id, provider: provider) {
            if !yes {
                let credential = try await Retrying.idempotent { try await client.getCredential(provider: provider, id: id) }
                Console.stderr(
                    "About to delete the \(provider.rawValue) credential \(CredentialText.describe(credential)).\n"
                        + "Nylas can no longer authenticate users with it once it is gone.\n")
                guard Confirmation.ask("Delete it?") else {
                    Console.error("nothing deleted")
                    throw Exit.incomplete
                }
            }
            // A retry of a delete whose answer was lost meets a 404: it was deleted.
            return try await Retrying.deleting { try await client.deleteCredential(provider: provider, id: id) }
            }
        }
        let lost = answer.foundGone ? " (the first try's answer was lost; the retry found it gone)" : ""
        Stdout.write(
            "deleted \(provider.rawValue) credential \(id)\(lost)\(answer.answer.requestId.map { " [request_id \($0)]" } ?? "")\n")
    }
}
