import ArgumentParser
import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox
import Provisioning

/// What a single run and a job set up alike: where the API is, and the ledger.
extension RunCommand {
    /// The client settings: an in-process sandbox holding `credentials` with --sandbox, else
    /// the API options (with a job file's `proxy`). Logs the problem and returns nil when they
    /// are unusable; registers the secrets with the JSON log, and logs the way to the API.
    func clientSetup(
        seeding credentials: [SandboxConfiguration.SeedCredential], maxConnections: Int, jobProxy: String? = nil,
        logs: LogOutput
    ) async -> (configuration: NylasClientConfiguration, sandbox: SandboxServer?)? {
        guard let (configuration, server) = await makeClient(seeding: credentials, maxConnections: maxConnections, jobProxy: jobProxy, logs: logs)
        else { return nil }
        for secret in configuration.secrets { logs.sink?.redact(secret) }
        logs.logger.info(
            "network",
            metadata: [
                "api": "\(configuration.endpoint)", "proxy": "\(configuration.proxy?.described ?? "none")",
                "tls.trust": "\(configuration.tls.trustDescription)",
            ])
        return (configuration, server)
    }

    private func makeClient(
        seeding credentials: [SandboxConfiguration.SeedCredential], maxConnections: Int, jobProxy: String?, logs: LogOutput
    ) async -> (configuration: NylasClientConfiguration, sandbox: SandboxServer?)? {
        do {
            guard sandbox else {
                return (try api.clientConfiguration(maxConnections: maxConnections, jobProxy: jobProxy), nil)
            }
            var settings = SandboxConfiguration()
            settings.apiKey = sandboxKey
            settings.seedCredentials = credentials
            // A Workspace and tenant set up as the README tells: the usual scopes delegated, consent given.
            settings.tenant = .rehearsal
            settings.faults.latencyMs = 40...120
            var quiet = logs.logger
            quiet.logLevel = .error
            let server = try await SandboxServer.start(settings, logger: quiet)
            do {
                let configuration = try api.clientConfiguration(
                    endpoint: try APIEndpoint(server.baseURI), apiKey: APIKey(sandboxKey), maxConnections: maxConnections,
                    jobProxy: jobProxy)
                return (configuration, server)
            } catch {
                await server.stop()
                throw error
            }
        } catch {
            logs.error("\(error)")
            return nil
        }
    }

    /// The ledger: --ledger, else `path`; with --sandbox a file of its own beside it
    /// (`bulkgrant-sandbox.sqlite`), so that a trial never writes the ledger of the real API.
    func ledgerPath(default path: String) -> String {
        if let ledger { return ledger }
        guard sandbox else { return path }
        let url = URL(fileURLWithPath: path)
        let name = url.deletingPathExtension().lastPathComponent + "-sandbox." + (url.pathExtension.isEmpty ? "sqlite" : url.pathExtension)
        let folder = url.deletingLastPathComponent()
        return path.contains("/") ? folder.appendingPathComponent(name).path : name
    }

    /// Says which of the two a ledger bound to another API host is: a sandbox trial's, or the
    /// real API's that --sandbox must not write.
    static func otherHostMessage(_ path: String, bound: String, identity: String) -> String {
        if bound == APIEndpoint.sandboxIdentity {
            return "ledger \(path): made by a --sandbox trial (or a sandbox on loopback), not for \(identity); name the real ledger with --ledger, or remove this file to start one"
        }
        if identity == APIEndpoint.sandboxIdentity {
            return "ledger \(path): belongs to API host \(bound); --sandbox never writes a ledger meant for a real API host: leave out --ledger (a trial uses a -sandbox file of its own) or name another file"
        }
        return "ledger \(path): belongs to API host \(bound), not \(identity); use --ledger to name this host's ledger, or the --api-uri/--region it was made with"
    }

    /// The ledger of a dry run: read-only and unlocked, nil when it does not exist yet. Refused
    /// (logged, exit 2) when unreadable or bound to another API host, as the run would be.
    func openLedgerForDryRun(_ path: String, identity: String, logs: LogOutput) async -> Result<Ledger?, ExitCode> {
        if nightly.metricsFile != nil {
            logs.warning("--metrics-file is left as it is by --dry-run: the metrics describe the last real run")
        }
        if nightly.htmlReport != nil {
            logs.warning("--html-report is not written by --dry-run: the report describes the ledger, which a dry run leaves as it is")
        }
        guard FileManager.default.fileExists(atPath: path) else { return .success(nil) }
        var opened: Ledger?
        do {
            let ledger = try Ledger.openReadOnly(path: path, logger: logs.logger)
            opened = ledger
            if let bound = try await ledger.boundAPIHost(), bound != identity {
                try? ledger.close()
                logs.error(Self.otherHostMessage(path, bound: bound, identity: identity))
                return .failure(Exit.input)
            }
            return .success(ledger)
        } catch {
            try? opened?.close()
            logs.error("\(error)")
            return .failure(Exit.input)
        }
    }

    /// Opens (and locks) the ledger; on failure logs why and gives the exit code: 3 when another
    /// run holds it, 2 otherwise.
    func openLedger(_ path: String, identity: String, logs: LogOutput) -> Result<Ledger, ExitCode> {
        do {
            return .success(try Ledger.open(path: path, apiIdentity: identity, logger: logs.logger))
        } catch let error as LedgerError where error.code == .otherHost {
            logs.error(Self.otherHostMessage(path, bound: error.boundHost ?? "another host", identity: identity))
            return .failure(Exit.input)
        } catch let error as LedgerError {
            logs.error("\(error)")
            return .failure(error.code == .locked ? Exit.stopped : Exit.input)
        } catch {
            logs.error("\(error)")
            return .failure(Exit.input)
        }
    }
}

extension RunCommand {
    /// Runs `body` with a client, a stop switch that SIGINT and SIGTERM pull, and the progress
    /// printer (`started` hands it the progress); then, whatever happened, reads what `finally`
    /// wants of the ledger and shuts the client, the ledger and the sandbox down. A thrown error
    /// is logged and gives exit 2 (unusable input) or 3.
    func withRunSession<T>(
        clientConfiguration: NylasClientConfiguration, ledger: Ledger, sandbox server: SandboxServer?,
        logs: LogOutput,
        _ body: (NylasClient, RunControl, _ started: @escaping @Sendable (RunProgress) async -> Void) async throws -> T,
        finally: (T, Ledger) async -> Void = { _, _ in }
    ) async -> Result<T, ExitCode> {
        let client = NylasClient(configuration: clientConfiguration, logger: logs.logger)
        let control = RunControl()
        let signals = SignalTrap(control: control)
        signals.install()
        let printer = ProgressPrinter(
            live: Console.stderrIsTerminal && !noProgress && !logs.isJSON, logger: logs.isJSON ? logs.logger : nil)
        let result: Result<T, ExitCode>
        do {
            result = .success(
                try await body(client, control) { progress in
                    printer.start(progress)
                    signals.progress = progress
                })
        } catch {
            logs.error("\(error)")
            result = .failure(error is InputError ? Exit.input : Exit.stopped)
        }
        await printer.stop()
        if case .success(let value) = result { await finally(value, ledger) }
        try? await client.shutdown()
        try? ledger.close()
        await server?.stop()
        return result
    }
}
