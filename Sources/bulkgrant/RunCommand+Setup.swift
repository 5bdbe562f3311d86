import ArgumentParser
import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox

/// What a single run and a job set up alike: where the API is, and the ledger.
extension RunCommand {
    /// The client settings: an in-process sandbox holding `credentials` with --sandbox, else
    /// the API options. Logs the problem and returns nil when they are unusable.
    func clientSetup(
        seeding credentials: [SandboxConfiguration.SeedCredential], maxConnections: Int, logs: LogOutput
    ) async -> (configuration: NylasClientConfiguration, sandbox: SandboxServer?)? {
        do {
            guard sandbox else { return (try api.clientConfiguration(maxConnections: maxConnections), nil) }
            var settings = SandboxConfiguration()
            settings.apiKey = sandboxKey
            settings.seedCredentials = credentials
            settings.faults.latencyMs = 40...120
            var quiet = logs.logger
            quiet.logLevel = .error
            let server = try await SandboxServer.start(settings, logger: quiet)
            var configuration = NylasClientConfiguration(
                endpoint: try APIEndpoint(server.baseURI), apiKey: APIKey(sandboxKey))
            configuration.requestTimeout = api.requestTimeout
            configuration.maxConnections = maxConnections
            return (configuration, server)
        } catch {
            logs.error("\(error)")
            return nil
        }
    }

    /// Opens (and locks) the ledger; on failure logs why and gives the exit code: 3 when another
    /// run holds it, 2 otherwise.
    func openLedger(_ path: String, identity: String, logs: LogOutput) -> Result<Ledger, ExitCode> {
        do {
            return .success(try Ledger.open(path: path, apiIdentity: identity, logger: logs.logger))
        } catch let error as LedgerError {
            logs.error("\(error)")
            return .failure(error.code == .locked ? Exit.stopped : Exit.input)
        } catch {
            logs.error("\(error)")
            return .failure(Exit.input)
        }
    }
}
