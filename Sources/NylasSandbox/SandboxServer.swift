import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NylasAPI
import ServiceLifecycle
import UnixSignals

/// A running sandbox: a Nylas-compatible HTTP (or HTTPS) server on loopback.
///
/// `start` returns once the port is bound; `stop` shuts it down. `state` gives tests direct
/// access to the counters and the fault controls.
public final class SandboxServer: Sendable {
    public let state: SandboxState
    /// The bound port (the chosen one when the configuration asked for 0).
    public let port: Int
    public let host: String
    /// `https` when the configuration has a TLS certificate, else `http`.
    public let scheme: String
    private let task: Task<Void, Error>
    private let group: ServiceGroup

    /// The base URI to give a client, e.g. `http://127.0.0.1:54321`.
    public var baseURI: String { "\(scheme)://\(host):\(port)" }

    private init(state: SandboxState, host: String, port: Int, scheme: String, task: Task<Void, Error>, group: ServiceGroup) {
        self.group = group
        self.state = state
        self.host = host
        self.port = port
        self.scheme = scheme
        self.task = task
    }

    /// Binds and starts serving in the background.
    /// - Parameter handleSignals: stop gracefully on SIGINT and SIGTERM; false for an in-process
    ///   sandbox, whose owner handles signals itself.
    public static func start(
        _ configuration: SandboxConfiguration, logger: Logger, handleSignals: Bool = false
    ) async throws -> SandboxServer {
        let signals: [UnixSignal] = handleSignals ? [.sigint, .sigterm] : []
        let state = SandboxState(configuration: configuration)
        let router = Router(context: SandboxRequestContext.self)
        SandboxRoutes(state: state).register(on: router)
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let server: HTTPServerBuilder
        do {
            server = try configuration.tls.map { try .tls(.http1(), tlsConfiguration: $0.serverConfiguration) } ?? .http1()
        } catch {
            throw SandboxError("the TLS certificate and key cannot be used together: \(error); check that the key is the certificate's")
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "bulkgrant-sandbox"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: signals, logger: logger))
        let task = Task {
            do {
                try await group.run()
            } catch {
                portContinuation.finish()
                throw error
            }
            portContinuation.finish()
        }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            _ = try? await task.value
            throw SandboxError(
                "could not listen on \(configuration.host):\(configuration.port): is the port in use? try --port 0")
        }
        return SandboxServer(
            state: state, host: configuration.host, port: port, scheme: configuration.tls == nil ? "http" : "https", task: task,
            group: group)
    }

    /// Stops serving and waits until the server is down.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Waits until the server stops by itself (on one of the `signals` given to `start`).
    public func wait() async throws {
        try await task.value
    }
}
