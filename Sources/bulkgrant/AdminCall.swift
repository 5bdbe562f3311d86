import ArgumentParser
import Foundation
import Logging
import NylasAPI

/// How the inspection commands (`grants …`, `connectors …`) reach Nylas: one client from the
/// shared `APIOptions`, and one mapping from failures to the README's exit codes.
///
/// - 2: the configuration is unusable (no key, `http://` to a remote host, bad URI).
/// - 3: the command stopped: authentication failed (401, wrong region), or the API could not be
///   reached or kept failing (5xx, 429, timeouts) after retries.
/// - 1: the API answered but refused this request (404 not found, 400 already exists, …).
enum AdminCall {
    /// The client settings from `api`; a mistake in them is reported and exits 2.
    static func configuration(_ api: APIOptions) throws -> NylasClientConfiguration {
        do {
            return try api.clientConfiguration(maxConnections: 4)
        } catch {
            Console.error("\(error)")
            throw Exit.input
        }
    }

    /// Runs `body` with a client for `configuration`, shuts the client down, and turns a
    /// `NylasError` into a message naming its request id and the exit code above.
    static func run<T>(
        _ configuration: NylasClientConfiguration, redacting secrets: [String] = [], context: DiagnosisContext = .init(),
        _ body: (NylasClient) async throws -> T
    ) async throws -> T {
        let logger = Console.bootstrapLogging(level: .warning)
        let client = NylasClient(configuration: configuration, logger: logger)
        do {
            let result = try await body(client)
            try? await client.shutdown()
            return result
        } catch let error as NylasError {
            try? await client.shutdown()
            report(error, redacting: secrets, context: context)
            throw exitCode(for: error)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Prints `error` (with its request id), and a hint when the key is the problem.
    static func report(
        _ error: NylasError, prefix: String = "", redacting secrets: [String] = [], context: DiagnosisContext = .init()
    ) {
        var text = prefix + error.description
        // A secret too short to be real would only garble the message.
        for secret in secrets where secret.count >= 8 {
            text = text.replacingOccurrences(of: secret, with: "[redacted]")
        }
        Console.error(text)
        // The same catalogue as the nightly run: a known cause gets its meaning and fix.
        let diagnosis = FailureCatalogue.diagnose(error, call: .admin, context: context)
        if diagnosis.recognised { Console.error("\(diagnosis.cause): \(diagnosis.meaning); fix: \(diagnosis.fix)") }
    }

    static func exitCode(for error: NylasError) -> ExitCode {
        isRefusal(error) ? Exit.incomplete : Exit.stopped
    }

    /// An answer that refuses this request only (4xx other than an authentication failure or a
    /// throttle): the next request may well succeed.
    static func isRefusal(_ error: NylasError) -> Bool {
        guard error.code == .api, let status = error.status, !error.isAuthenticationFailure else { return false }
        return (400..<500).contains(status) && status != 429
    }
}
