import ArgumentParser
import Foundation
import NylasAPI

@main
struct Bulkgrant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulkgrant",
        abstract: "Give every employee in an HR export a Nylas v3 bulk-authentication grant.",
        discussion: """
            Reads a CSV (or one address per line), creates grants concurrently under the API's \
            rate limit, and records every user's outcome in a SQLite ledger, so that a rerun \
            resumes without creating any grant twice.

            Try it with no account:
              bulkgrant run examples/hr-export.csv --provider google --credential-id demo \\
                --scope https://www.googleapis.com/auth/calendar --sandbox

            Before the first night (Microsoft: credentials create microsoft, then consent url \
            and consent listen):
              bulkgrant credentials create google --name acme --key-file sa.json
              bulkgrant doctor --provider google --credential-id CRED

            Many organisations under one rate limit: bulkgrant run --job job.toml (see \
            bulkgrant job --help).

            Exit codes: 0 all users granted (or nothing to do) · 1 some users failed or were \
            deferred (rerun to resume) · 2 usage or input error · 3 the run stopped (fatal API \
            error, circuit breaker, safeguard, signal, or ledger locked).
            """,
        version: BuildCommit.versionLine,
        subcommands: [
            RunCommand.self, StatusCommand.self, ReportCommand.self, LedgerCommand.self, JobCommand.self, DoctorCommand.self,
            CredentialsCommand.self, ConsentCommand.self, ConnectorsCommand.self, GrantsCommand.self, SandboxCommand.self,
        ]
    )

    /// Usage errors exit 2, as the README promises, rather than ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                terminate(2)
            }
            exit(withError: error)
        }
    }
}

/// Exit codes, as the README lists them.
enum Exit {
    static let incomplete = ExitCode(1)
    static let input = ExitCode(2)
    static let stopped = ExitCode(3)
}

/// File scope, where `exit` is the C function rather than `ParsableCommand.exit(withError:)`.
func terminate(_ code: Int32) -> Never { exit(code) }
