import Foundation
import GrantLedger
import NetworkTestSupport
import NylasAPI
import NylasSandbox
import Testing

extension Reliability {
    /// Secrets stay secret: every command, at trace level, with failures forced, is searched byte
    /// by byte (its output and every file it wrote) for a recognisable fake key, client secret and
    /// private key. Plain http:// leaves loopback never, and the ledger is private to its owner.
    @Suite("secrets")
    struct SecretsTests {
        static let apiKey = "sk-live-SECRET-CANARY-1234"
        static let clientSecret = "client-secret-CANARY-5678"
        static let privateKey = "PRIVATE-KEY-CANARY-9012"
        static let proxyPassword = "proxy-pass-CANARY-3456"
        /// How the proxy password travels on `CONNECT`: `Basic base64(user:password)`.
        static let proxyBasic = Data("alice:\(proxyPassword)".utf8).base64EncodedString()
        static let canaries = [apiKey, clientSecret, privateKey, proxyPassword, proxyBasic]

        /// Where the test keeps what it hands to the binary (secret files), apart from what the
        /// binary writes, which is all searched.
        struct Workspace {
            let root: TemporaryDirectory
            let secrets: String
            let out: String
            let input: String
            let keyFile: String
            let clientSecretFile: String
            let serviceAccountFile: String

            init() throws {
                root = try TemporaryDirectory()
                secrets = root.file("secrets")
                out = root.file("out")
                try FileManager.default.createDirectory(atPath: secrets, withIntermediateDirectories: true)
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                input = out + "/export.csv"
                try exportText(count: 6).write(toFile: input, atomically: true, encoding: .utf8)
                keyFile = secrets + "/api-key"
                try (SecretsTests.apiKey + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
                clientSecretFile = secrets + "/client-secret"
                try (SecretsTests.clientSecret + "\n").write(toFile: clientSecretFile, atomically: true, encoding: .utf8)
                serviceAccountFile = secrets + "/service-account.json"
                let serviceAccount = """
                    {"type": "service_account", "project_id": "canary", "private_key_id": "canary-key-id",
                     "private_key": "-----BEGIN PRIVATE KEY-----\\n\(SecretsTests.privateKey)\\n-----END PRIVATE KEY-----\\n",
                     "client_email": "bulkgrant@canary.iam.gserviceaccount.com", "client_id": "1234567890"}
                    """
                try serviceAccount.write(toFile: serviceAccountFile, atomically: true, encoding: .utf8)
            }

            var ledger: String { out + "/ledger.sqlite" }
        }

        /// Every byte the binary left: its output, and every file under `out` (ledger, -wal, -shm,
        /// lock, reports, metrics, …).
        static func leaks(in results: [ProcessResult], workspace: Workspace) -> [String] {
            var found: [String] = []
            for (index, result) in results.enumerated() {
                for canary in canaries {
                    if result.stdoutData.range(of: Data(canary.utf8)) != nil { found.append("stdout of call \(index): \(canary)") }
                    if result.stderrData.range(of: Data(canary.utf8)) != nil { found.append("stderr of call \(index): \(canary)") }
                }
            }
            let files = FileManager.default.enumerator(atPath: workspace.out)?.allObjects as? [String] ?? []
            for file in files {
                let path = workspace.out + "/" + file
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                for canary in canaries where data.range(of: Data(canary.utf8)) != nil {
                    found.append("\(file): \(canary)")
                }
            }
            return found
        }

        // MARK: run

        @Test("run, at trace level, through 401s, 500s, echoing servers and a bad credential, writes no secret anywhere")
        func runLeaksNothing() async throws {
            let workspace = try Workspace()
            defer { workspace.root.remove() }
            // The server accepts the canary as its key, so calls get past authentication and meet the
            // faults; its answers echo the key in every place an answer can hold text.
            let log = EventLog()
            let server = try await startSandbox(apiKey: Self.apiKey, log: log)
            defer { Task { await server.stop() } }
            let echo = "Bearer \(Self.apiKey)"
            await server.state.script(
                [
                    .status(500), .htmlBadGateway,
                    .raw(status: 502, contentType: "text/html", body: "<html><body>upstream said: \(echo)</body></html>"),
                    .raw(
                        status: 400, contentType: "application/json",
                        body: #"{"request_id":"\#(Self.apiKey)","error":{"type":"api.invalid_request_error","message":"key \#(echo) is not allowed here","provider_error":{"error":"invalid_grant","error_description":"\#(echo)"}}}"#),
                    .raw(status: 500, contentType: "application/json", body: #"{"message":"\#(echo)"}"#),
                    .resetAfterApply, .truncatedBody, .emptySuccess,
                    .raw(
                        status: 401, contentType: "application/json",
                        body: #"{"request_id":"r-1","error":{"type":"api.authentication_error","message":"bad key \#(echo)","provider_error":{"hint":"\#(echo)"}}}"#),
                ], for: "/v3/connect/custom")
            await server.state.script([.raw(status: 503, contentType: "text/plain", body: "try later, \(echo)")], for: "/v3/grants")
            var results: [ProcessResult] = []
            let base = runArguments(
                workspace.input, ledger: workspace.ledger, server: server,
                extra: ["--log-level", "trace", "--concurrency", "1", "--rate", "1000", "--request-timeout", "2"])
            // 1. Key from the environment, every scripted fault in turn, until the echoing 401 stops the run.
            results.append(try await runBinary(base, environment: ["NYLAS_API_KEY": Self.apiKey], in: workspace.out))
            #expect(results[0].status == 3, "\(results[0].transcript)")
            #expect(results[0].stdout.contains("[redacted]") || results[0].stderr.contains("[redacted]"),
                    "the echoed key must show as [redacted]: \(results[0].transcript)")
            // The records of those failures are there, without the key.
            let records = try await ledgerRecords(workspace.ledger)
            #expect(records.values.contains { ($0.lastErrorMessage ?? "").contains("[redacted]") },
                    "\(records.values.map(\.lastErrorMessage))")
            // 2. The same with --json, key from a file, to the end.
            results.append(
                try await runBinary(base + ["--json", "--api-key-file", workspace.keyFile], in: workspace.out))
            #expect(results[1].status == 0 || results[1].status == 1, "\(results[1].transcript)")
            // 3. A key the server rejects: 401 on the first call (new users, so that there is a call).
            await server.state.setAPIKey("another-key")
            var rejected = base
            rejected[1] = workspace.out + "/rejected.csv"
            try exportText(count: 3, from: 50).write(toFile: rejected[1], atomically: true, encoding: .utf8)
            results.append(try await runBinary(rejected + ["--json"], environment: ["NYLAS_API_KEY": Self.apiKey], in: workspace.out))
            #expect(results[2].status == 3, "\(results[2].transcript)")
            await server.state.setAPIKey(Self.apiKey)
            // 4. An unknown credential.
            var unknown = base
            unknown[unknown.firstIndex(of: credentialID)!] = "no-such-credential"
            let more = workspace.out + "/more.csv"
            try exportText(count: 3, from: 100).write(toFile: more, atomically: true, encoding: .utf8)
            unknown[1] = more
            results.append(try await runBinary(unknown, environment: ["NYLAS_API_KEY": Self.apiKey], in: workspace.out))
            #expect(results[3].status == 3, "\(results[3].transcript)")
            // 5. Nobody listening (connection refused), and a key file that does not exist.
            // (AsyncHTTPClient retries a refused connection until the deadline: one user, short timeout.)
            var refused = base
            refused[refused.firstIndex(of: server.baseURI)!] = "http://127.0.0.1:9"
            refused[1] = workspace.out + "/one.csv"
            try exportText(count: 1, from: 200).write(toFile: refused[1], atomically: true, encoding: .utf8)
            results.append(
                try await runBinary(
                    refused + ["--ledger", workspace.out + "/refused.sqlite", "--max-attempts", "1", "--request-timeout", "0.5"],
                    environment: ["NYLAS_API_KEY": Self.apiKey], in: workspace.out))
            results.append(try await runBinary(base + ["--api-key-file", workspace.secrets + "/missing"], in: workspace.out))
            #expect(results[5].status == 2 && results[5].stderr.contains("cannot read the API key file"), "\(results[5].transcript)")
            // 6. The in-process sandbox ignores the real key in the environment.
            results.append(
                try await runBinary(
                    ["run", workspace.input, "--provider", "google", "--scope", calendarScope, "--sandbox", "--ledger",
                     workspace.out + "/try-out.sqlite", "--log-level", "trace", "--no-progress"],
                    environment: ["NYLAS_API_KEY": Self.apiKey], in: workspace.out))
            #expect(results[6].status == 0, "\(results[6].transcript)")

            if ProcessInfo.processInfo.environment["RELIABILITY_VERBOSE"] != nil {
                print(results.map { "exit \($0.status) in \(String(format: "%.1f", $0.seconds)) s" }.joined(separator: "; "))
            }
            #expect(await server.state.scriptedRemaining(for: "/v3/connect/custom") == 0, "every echoing fault must have fired")
            #expect(results.allSatisfy { !$0.crashed })
            #expect(results.contains { $0.stderr.contains("nylas call") }, "trace logging must really have been on")
            let leaks = Self.leaks(in: results, workspace: workspace)
            #expect(leaks.isEmpty, "secrets written: \(leaks)")
        }

        // MARK: every other command

        @Test("every subcommand and its help, with the key in the environment and in a file, writes no secret")
        func everyCommandLeaksNothing() async throws {
            let workspace = try Workspace()
            defer { workspace.root.remove() }
            // No connector yet, so that `connectors create` succeeds once (and is refused the second time).
            let server = try await startSandbox(apiKey: Self.apiKey, connectors: [])
            defer { Task { await server.stop() } }
            // A ledger with granted users, and failed ones, for the commands that read one.
            let seeded = try await runBinary(
                runArguments(workspace.input, ledger: workspace.ledger, server: server, extra: ["--rate", "1000"]),
                environment: ["NYLAS_API_KEY": Self.apiKey], in: workspace.out)
            #expect(seeded.status == 0, "\(seeded.transcript)")
            let grantID = try #require(try await ledgerRecords(workspace.ledger)[email(0)]?.grantID)
            await server.state.setRejectedDomains(["other.example"])
            let others = workspace.out + "/others.csv"
            try "Email\nann@other.example\nbob@other.example\n".write(toFile: others, atomically: true, encoding: .utf8)
            _ = try await runBinary(
                runArguments(others, ledger: workspace.ledger, server: server, extra: ["--rate", "1000"]),
                environment: ["NYLAS_API_KEY": Self.apiKey], in: workspace.out)
            await server.state.script(Array(repeating: .status(500), count: 4), for: "/v3/connect/custom")

            let commands = try await Self.commandTree()
            #expect(commands.contains(["run"]) && commands.contains(["sandbox"]), "\(commands)")
            var results: [ProcessResult] = []
            var ran: [String] = []
            for command in commands where command != ["sandbox"] {
                let help = try await runBinary(command + ["--help"], environment: ["NYLAS_API_KEY": Self.apiKey], in: workspace.out)
                results.append(help)
                let arguments = Self.arguments(
                    for: command, help: help.stdout, workspace: workspace, server: server, grantID: grantID)
                for keyFromFile in [false, true] {
                    let extra = keyFromFile && help.stdout.contains("--api-key-file") ? ["--api-key-file", workspace.keyFile] : []
                    let environment = keyFromFile ? [:] : ["NYLAS_API_KEY": Self.apiKey, "NYLAS_CONNECTOR_CLIENT_SECRET": Self.clientSecret]
                    let result = try await runBinary(command + arguments + extra, environment: environment, in: workspace.out)
                    #expect(!result.crashed, "\(command): \(result.transcript)")
                    results.append(result)
                    ran.append((command + arguments + extra).joined(separator: " ") + " → exit \(result.status)")
                }
                Self.checkPrivateFiles(help: help.stdout, workspace: workspace, command: command, grantID: grantID)
            }

            // `bulkgrant sandbox` prints its own --api-key by design (a sandbox key, not a secret); it
            // must never pick up the real one from the environment.
            let sandbox = try BackgroundProcess(
                binaryPath(), ["sandbox", "--port", "0", "--api-key", "sandbox-own-key", "--fail", "500=0.5"],
                environment: ["NYLAS_API_KEY": Self.apiKey, "NYLAS_API_URI": "http://127.0.0.1:1"], in: workspace.out)
            #expect(await sandbox.waitForOutput("stats:"))
            _ = await sandbox.stop(SIGINT)
            results.append(ProcessResult(status: 0, killed: false, stdoutData: sandbox.stdout, stderrData: sandbox.stderr, seconds: 0))
            #expect(String(decoding: sandbox.stdout, as: UTF8.self).contains("sandbox-own-key"))

            if commands.contains(["report"]) {
                let report = workspace.out + "/report-output"
                #expect((try? String(contentsOfFile: report, encoding: .utf8))?.contains("@acme.example") == true,
                        "report --output must have written the users")
                #expect(permissions(report) == 0o600, "the report holds addresses and grant ids: it must be 0600")
            }
            let leaks = Self.leaks(in: results, workspace: workspace)
            #expect(leaks.isEmpty, "secrets written: \(leaks)\n\(ran.joined(separator: "\n"))")
            if ProcessInfo.processInfo.environment["RELIABILITY_VERBOSE"] != nil { print(ran.joined(separator: "\n")) }
        }

        /// Every leaf command, found from the help, so that a new command is covered the day it appears.
        static func commandTree() async throws -> [[String]] {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            func subcommands(_ path: [String]) async throws -> [String] {
                let help = try await runBinary(path + ["--help"], in: dir.path).stdout
                guard let range = help.range(of: "SUBCOMMANDS:") else { return [] }
                return help[range.upperBound...].split(separator: "\n").compactMap { line in
                    guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else {
                        return nil
                    }
                    let word = String(name)
                    return word == "help" || word.hasPrefix("See") ? nil : word
                }
            }
            var leaves: [[String]] = []
            var queue: [[String]] = [[]]
            while let path = queue.popLast() {
                let children = try await subcommands(path)
                if children.isEmpty {
                    if !path.isEmpty { leaves.append(path) }
                } else {
                    queue += children.map { path + [$0] }
                }
            }
            return leaves.sorted { $0.joined(separator: " ") < $1.joined(separator: " ") }
        }

        /// Arguments for a command, from what its help lists: every argument and option it declares
        /// gets a value, secret-bearing options a file holding a canary, outputs a file under `out`.
        static func arguments(
            for command: [String], help: String, workspace: Workspace, server: SandboxServer, grantID: String
        ) -> [String] {
            let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let options = declaredOptions(help)
            func has(_ option: String) -> Bool { options.contains(option) }
            if command == ["run"] {
                var arguments = Array(runArguments(workspace.input, ledger: workspace.ledger, server: server, extra: [
                    "--log-level", "trace", "--json", "--rate", "1000", "--max-attempts", "2",
                ]).dropFirst())
                if has("--metrics-file") { arguments += ["--metrics-file", workspace.out + "/metrics.prom"] }
                return arguments
            }
            var arguments: [String] = []
            // Positional arguments, in order, from the ARGUMENTS section.
            if let start = lines.firstIndex(of: "ARGUMENTS:") {
                for line in lines[(start + 1)...] {
                    if line.isEmpty || !line.hasPrefix(" ") { break }
                    let word = line.drop { $0 == " " }
                    guard word.hasPrefix("<"), let close = word.firstIndex(of: ">") else { continue }
                    let name = word[word.index(after: word.startIndex)..<close].lowercased()
                    if name.contains("input") || name.contains("file") || name.contains("export") {
                        arguments.append(workspace.input)
                    } else if name.contains("email") {
                        arguments.append(email(0))
                    } else if name.contains("provider") {
                        arguments.append("google")
                    } else {
                        arguments.append(grantID)
                    }
                }
            }
            let values: [(String, String)] = [
                ("--ledger", workspace.ledger), ("--api-uri", server.baseURI), ("--log-level", "trace"),
                ("--provider", "google"), ("--credential-id", credentialID), ("--scope", calendarScope),
                ("--output", workspace.out + "/\(command.joined(separator: "-"))-output"),
                ("--metrics-file", workspace.out + "/metrics.prom"), ("--report", workspace.out + "/report.csv"),
                ("--report-file", workspace.out + "/report.csv"),
                ("--client-secret-file", workspace.clientSecretFile), ("--secret-file", workspace.clientSecretFile),
                ("--key-file", workspace.serviceAccountFile), ("--service-account-file", workspace.serviceAccountFile),
                ("--service-account", workspace.serviceAccountFile), ("--private-key-file", workspace.serviceAccountFile),
                ("--credentials-file", workspace.serviceAccountFile), ("--client-id", "canary-client"),
                ("--name", "canary"),
            ]
            for (option, value) in values where has(option) { arguments += [option, value] }
            for flag in ["--json", "--yes", "--force", "--no-progress"] where has(flag) { arguments.append(flag) }
            return arguments
        }

        /// The options a help text declares: the first `--name` of each line that starts with one
        /// (or with `-x, --name`).
        static func declaredOptions(_ help: String) -> Set<String> {
            Set(help.split(separator: "\n").compactMap { line -> String? in
                var text = line.drop { $0 == " " }
                if text.hasPrefix("-"), !text.hasPrefix("--"), let comma = text.firstIndex(of: ",") {
                    text = text[text.index(after: comma)...].drop { $0 == " " }
                }
                guard text.hasPrefix("--") else { return nil }
                return String(text.prefix { $0 != " " && $0 != "," })
            })
        }

        /// Reports hold addresses and grant ids: 0600. A metrics file holds neither.
        static func checkPrivateFiles(help: String, workspace: Workspace, command: [String], grantID: String) {
            let options = declaredOptions(help)
            if options.contains("--output") {
                let path = workspace.out + "/\(command.joined(separator: "-"))-output"
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                if text.contains("@acme.example") {
                    #expect(permissions(path) == 0o600, "\(command) --output holds addresses and must be 0600, is \(String(permissions(path), radix: 8))")
                }
            }
            if options.contains("--metrics-file") {
                let path = workspace.out + "/metrics.prom"
                let text = try? String(contentsOfFile: path, encoding: .utf8)
                #expect(text != nil, "\(command) --metrics-file must have written \(path)")
                #expect(!(text ?? "").contains("@") && !(text ?? "").contains(grantID), "the metrics file must hold no address and no grant id")
            }
        }

        // MARK: proxy credentials

        @Test("a proxy password given in --proxy, HTTPS_PROXY or a job file appears in no output, log, report or ledger, on any path")
        func proxyPasswordLeaksNowhere() async throws {
            let workspace = try Workspace()
            defer { workspace.root.remove() }
            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            var configuration = SandboxConfiguration()
            configuration.apiKey = Self.apiKey
            configuration.rateLimit = 0
            configuration.seedCredentials = [.init(provider: .google, id: credentialID, name: "reliability")]
            configuration.tls = try certificates.valid.sandboxTLS()
            let server = try await SandboxServer.start(configuration, logger: quietLogger)
            defer { Task { await server.stop() } }
            let good = try await ConnectProxy.start(.init(credentials: ("alice", Self.proxyPassword)))
            let strict = try await ConnectProxy.start(.init(credentials: ("alice", "only-this-one")))
            let refusing = try await ConnectProxy.start(.init(refuseWith: 502))
            defer { Task { for proxy in [good, strict, refusing] { await proxy.stop() } } }
            let down = try await ConnectProxy.closedPort()
            func url(_ port: Int) -> String { "http://alice:\(Self.proxyPassword)@127.0.0.1:\(port)" }
            let environment = ["NYLAS_API_KEY": Self.apiKey]
            let trust = ["--ca-file", certificates.caFile]
            let base = runArguments(
                workspace.input, ledger: workspace.ledger, server: server,
                extra: trust + ["--log-level", "trace", "--rate", "1000", "--max-attempts", "2", "--request-timeout", "5"])
            var results: [ProcessResult] = []
            var ran: [String] = []
            func run(_ arguments: [String], _ extraEnvironment: [String: String] = [:]) async throws -> ProcessResult {
                let result = try await runBinary(arguments, environment: environment.merging(extraEnvironment) { $1 }, in: workspace.out)
                #expect(!result.crashed, "\(arguments): \(result.transcript)")
                results.append(result)
                ran.append(arguments.joined(separator: " ") + " → exit \(result.status)")
                return result
            }
            // Through the proxy, granting everyone: text, JSON logs, --json, metrics; the ledger records the run.
            let granted = try await run(base + ["--proxy", url(good.port), "--json", "--log-format", "json", "--metrics-file", workspace.out + "/metrics.prom"])
            #expect(granted.status == 0, "\(granted.transcript)")
            #expect(good.tunnels >= 1)
            // Each broken path, in text and JSON logs.
            for port in [strict.port, refusing.port, down] {
                var failing = base
                failing[1] = workspace.out + "/failing-\(port).csv"
                try exportText(count: 2, from: 300 + port % 50).write(toFile: failing[1], atomically: true, encoding: .utf8)
                _ = try await run(failing + ["--proxy", url(port)])
                _ = try await run(failing + ["--proxy", url(port), "--json", "--log-format", "json"])
            }
            // A proxy URL that cannot be used, from the flag and from the environment.
            _ = try await run(base + ["--proxy", "socks5://alice:\(Self.proxyPassword)@127.0.0.1:1080"])
            // (The environment's proxy is read only for a host that is not loopback; the URL is refused
            // before anything is sent.)
            let refused = try await run(
                ["doctor", "--api-uri", "https://api.us.nylas.com", "--ledger", workspace.ledger],
                ["HTTPS_PROXY": "https://alice:\(Self.proxyPassword)@proxy.example:3128"])
            #expect(refused.status == 2 && refused.stderr.contains("HTTPS_PROXY: proxy '"), "\(refused.transcript)")
            // The other commands through the proxy: doctor (text and JSON), an admin listing, a dry run.
            for extra in [[], ["--json"]] {
                _ = try await run(["doctor", "--api-uri", server.baseURI, "--ledger", workspace.ledger, "--proxy", url(good.port)] + trust + extra)
                _ = try await run(["doctor", "--api-uri", server.baseURI, "--ledger", workspace.ledger, "--proxy", url(strict.port)] + trust + extra)
            }
            _ = try await run(["grants", "list", "--api-uri", server.baseURI, "--proxy", url(good.port)] + trust)
            _ = try await run(["grants", "list", "--api-uri", server.baseURI, "--proxy", url(strict.port)] + trust)
            _ = try await run(base + ["--proxy", url(good.port), "--dry-run", "--json"])
            // A job file whose proxy key holds the password (kept with the secrets: it is an input):
            // job check, and the job itself.
            let job = workspace.secrets + "/job.toml"
            try """
                ledger = "\(workspace.out)/job.sqlite"
                rate = 1000
                proxy = "\(url(good.port))"

                [[organisation]]
                name = "acme"
                provider = "google"
                credential_id = "\(credentialID)"
                scopes = ["\(calendarScope)"]
                input = "\(workspace.input)"
                """.write(toFile: job, atomically: true, encoding: .utf8)
            let checked = try await run(["job", "check", job, "--api-uri", server.baseURI] + trust)
            #expect(checked.status == 0, "\(checked.transcript)")
            let jobRun = try await run(["run", "--job", job, "--api-uri", server.baseURI, "--json", "--log-level", "trace", "--no-progress"] + trust)
            #expect(jobRun.status == 0, "\(jobRun.transcript)")
            try "proxy = \"ftp://alice:\(Self.proxyPassword)@x:1\"\n".write(toFile: workspace.secrets + "/bad-job.toml", atomically: true, encoding: .utf8)
            let badJob = try await run(["job", "check", workspace.secrets + "/bad-job.toml"])
            #expect(badJob.status == 2 && badJob.stderr.contains("proxy '"), "\(badJob.transcript)")
            // And status/report over the ledger those runs wrote.
            _ = try await run(["status", "--ledger", workspace.ledger, "--json"])
            _ = try await run(["report", "--ledger", workspace.ledger, "--format", "json"])

            #expect(try String(contentsOfFile: workspace.out + "/metrics.prom", encoding: .utf8).isEmpty == false)
            let leaks = Self.leaks(in: results, workspace: workspace)
            #expect(leaks.isEmpty, "proxy password written: \(leaks)\n\(ran.joined(separator: "\n"))")
            #expect(results.contains { $0.all.contains("[redacted]") }, "the proxy must be shown, redacted")
        }

        // MARK: transport and files

        static let refusedURIs = [
            "http://api.us.nylas.com", "HTTP://api.eu.nylas.com/", "http://10.0.0.7:8080", "http://0.0.0.0:8080",
            "http://127.0.0.1.nip.io", "http://localhost.evil.example", "http://127.0.0.1@evil.example",
            "http://evil.localhost:8080", "http://[::ffff:10.0.0.7]:80",
        ]

        @Test("plain http:// to a host that is not loopback is refused with exit 2 and the reason", arguments: refusedURIs)
        func plainHTTPRefused(_ uri: String) async throws {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let input = try dir.write("export.csv", exportText(count: 1))
            for viaEnvironment in [false, true] {
                var arguments = [
                    "run", input, "--provider", "google", "--credential-id", credentialID, "--scope", calendarScope,
                    "--ledger", dir.file("ledger.sqlite"), "--no-progress",
                ]
                var environment = ["NYLAS_API_KEY": Self.apiKey]
                if viaEnvironment { environment["NYLAS_API_URI"] = uri } else { arguments += ["--api-uri", uri] }
                let result = try await runBinary(arguments, environment: environment, in: dir.path)
                #expect(result.status == 2, "\(uri): \(result.transcript)")
                #expect(result.stderr.contains("refusing plain http://"), "\(uri): \(result.transcript)")
                #expect(result.stderr.contains("unencrypted"), "the message must say why: \(result.transcript)")
                #expect(!result.stderr.contains(Self.apiKey) && !result.stdout.contains(Self.apiKey))
            }
            #expect(!FileManager.default.fileExists(atPath: dir.file("ledger.sqlite")), "nothing may be written")
        }

        @Test("plain http:// to loopback (the sandbox) is accepted: 127.0.0.1, localhost and [::1]")
        func loopbackAccepted() throws {
            for uri in ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "http://127.1.2.3"] {
                #expect((try? APIEndpoint(uri))?.isLoopback == true, "\(uri)")
            }
        }

        @Test("the ledger, its -wal, -shm and lock files are created 0600 even under umask 000, and tightened if looser")
        func ledgerIsPrivate() async throws {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let input = try dir.write("export.csv", exportText(count: 5))
            let server = try await startSandbox()
            defer { Task { await server.stop() } }
            let ledger = dir.file("ledger.sqlite")
            let arguments = runArguments(input, ledger: ledger, server: server, extra: ["--rate", "1000"])
            let quoted = arguments.map { "'" + $0 + "'" }.joined(separator: " ")
            let result = try await runShell(
                "umask 000; exec \"$BULKGRANT\" \(quoted)", environment: ["NYLAS_API_KEY": sandboxKey], in: dir.path)
            #expect(result.status == 0, "\(result.transcript)")
            for suffix in ["", "-wal", "-shm", ".lock"] where FileManager.default.fileExists(atPath: ledger + suffix) {
                #expect(permissions(ledger + suffix) == 0o600, "ledger.sqlite\(suffix) is \(String(permissions(ledger + suffix), radix: 8))")
            }
            #expect(FileManager.default.fileExists(atPath: ledger + "-wal") || FileManager.default.fileExists(atPath: ledger))

            // A ledger someone made world-readable is made private again by the next run.
            chmod(ledger, 0o644)
            let again = try await runShell(
                "umask 000; exec \"$BULKGRANT\" \(quoted)", environment: ["NYLAS_API_KEY": sandboxKey], in: dir.path)
            #expect(again.status == 0, "\(again.transcript)")
            #expect(permissions(ledger) == 0o600)
        }
    }
}

/// The permission bits of a file.
func permissions(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? NSNumber)?.intValue ?? -1
}
