import ArgumentParser
import Foundation
import NylasAPI
import Provisioning

/// `bulkgrant job check`: everything about a job file that can be known without running it.
struct JobCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a job file without running it.",
        discussion: """
            Checks the file (unknown keys, wrong types, duplicate names, filters), each \
            organisation's export (present, readable, its filter columns there, no address in two \
            organisations), and, when an API key is available (NYLAS_API_KEY or --api-key-file), \
            that each credential exists for the organisation's provider with the right type. \
            Nothing is sent but reads; the ledger is not opened.

            Exit 0 when the job can run, 2 when it cannot (each problem is listed), 3 when the \
            API could not be asked.

            Examples:
              bulkgrant job check job.toml
              NYLAS_API_KEY=... bulkgrant job check job.toml --region eu
            """)

    @Argument(help: "The job file (TOML).")
    var file: String

    @OptionGroup(title: "API (for the credential checks)")
    var api: APIOptions

    func run() async throws {
        let job: JobFile
        do {
            job = try JobFile.load(path: file)
        } catch {
            Console.error("\(error)")
            throw Exit.input
        }
        var problems: [String] = []
        var inputs: [InputSet?] = []
        for organisation in job.organisations {
            let label = "organisation '\(organisation.name)'"
            do {
                let options = try job.runOptions(for: organisation, apiIdentity: "")
                let input = try InputSet.load(
                    path: organisation.input, configuration: options.reader, domains: options.domains)
                inputs.append(input)
                Console.out(
                    "✓ \(label): \(organisation.input): \(input.emails.count) users"
                        + (input.rejections.isEmpty ? "" : ", " + Console.counted(input.rejections.count, "rejected row")) + "\n")
            } catch {
                inputs.append(nil)
                problems.append("\(label): \(error)")
            }
        }
        if let report = job.reportHTML {
            let folder = URL(fileURLWithPath: report).deletingLastPathComponent().path
            if !FileManager.default.isWritableFile(atPath: folder) {
                problems.append("report_html: \(report) cannot be written: its folder \(folder) is missing or not writable")
            }
        }
        // The ledger is not opened: only the exports can clash here.
        let clashes = JobRun.conflicts(job.organisations, inputs: inputs, memberships: [:])
        let shownClashes = JobRun.summarise(clashes)
        problems += shownClashes
        // Each clashing address is a problem of its own, though only ten are listed.
        let hidden = clashes.count - shownClashes.count
        if api.apiKeyFile != nil || !(ProcessInfo.processInfo.environment["NYLAS_API_KEY"] ?? "").isEmpty {
            problems += try await credentialProblems(job)
        } else {
            Console.out("- credentials not checked: no API key (set NYLAS_API_KEY or --api-key-file to check them)\n")
        }
        for problem in problems { Console.out("✗ \(problem)\n") }
        if problems.isEmpty {
            Console.out("job \(file): \(job.organisations.count) organisations, ready to run: bulkgrant run --job \(file)\n")
        } else {
            Console.error("job \(file): \(Console.counted(problems.count + hidden, "problem")); fix them and check again")
            throw Exit.input
        }
    }

    /// Each credential must exist under its organisation's provider, with that provider's type.
    private func credentialProblems(_ job: JobFile) async throws -> [String] {
        let configuration = try AdminCall.configuration(api, jobProxy: job.proxy)
        return try await AdminCall.run(configuration) { client in
            var problems: [String] = []
            for organisation in job.organisations {
                let label = "organisation '\(organisation.name)'"
                let expected = organisation.provider.bulkCredentialType
                switch try await client.locateCredential(id: organisation.credentialID, provider: organisation.provider) {
                case .found(let credential):
                    if let type = credential.credentialType, type != expected {
                        problems.append(
                            "\(label): credential \(organisation.credentialID) is of type \(type.rawValue), but bulk authentication with \(organisation.provider.rawValue) needs \(expected.rawValue)")
                    } else {
                        Console.out("✓ \(label): credential \(organisation.credentialID) (\(credential.name))\n")
                    }
                case .otherProvider(let other, _):
                    problems.append(
                        "\(label): credential \(organisation.credentialID) belongs to \(other.rawValue), not \(organisation.provider.rawValue): fix provider or credential_id")
                case .missing:
                    problems.append(
                        "\(label): no \(organisation.provider.rawValue) credential \(organisation.credentialID): list them with 'bulkgrant credentials list --provider \(organisation.provider.rawValue)'")
                }
            }
            return problems
        }
    }
}
