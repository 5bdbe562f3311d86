import Foundation
import GrantLedger
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Receives the admin-consent redirect on loopback: a small Hummingbird server bound to
/// 127.0.0.1 that answers GET on one path and 404 on any other (a browser's favicon request
/// included, which must not end the wait).
///
/// `start` returns once the port is bound; `outcome()` waits for the final redirect; `stop`
/// shuts the server down gracefully, so the admin's page is delivered whole.
public final class ConsentListener: Sendable {
    public struct Configuration: Sendable {
        /// Loopback only: the redirect carries the admin's answer, not for the network.
        public var host = "127.0.0.1"
        /// 0 lets the system choose (tests); `port` then tells which.
        public var port: Int
        /// The path of the redirect URI.
        public var path = "/callback"
        /// The state the consent URL was built with.
        public var state: String
        /// Where the consent is recorded; nil records nothing.
        public var credentialID: String?

        public init(port: Int, state: String, path: String = "/callback", credentialID: String? = nil) {
            self.port = port
            self.state = state
            self.path = path
            self.credentialID = credentialID
        }
    }

    public let configuration: Configuration
    /// The bound port.
    public let port: Int
    private let inbox: ConsentInbox
    private let task: Task<Void, Error>
    private let group: ServiceGroup

    /// Where the listener receives the redirect, e.g. `http://127.0.0.1:8400/callback`.
    public var url: String { "http://\(configuration.host):\(port)\(configuration.path)" }

    private init(configuration: Configuration, port: Int, inbox: ConsentInbox, task: Task<Void, Error>, group: ServiceGroup) {
        self.configuration = configuration
        self.port = port
        self.inbox = inbox
        self.task = task
        self.group = group
    }

    /// Binds and starts serving in the background.
    /// - Parameters:
    ///   - ledger: where a consent is recorded (with `configuration.credentialID`); nil for none.
    ///   - clock: the time a consent is recorded at.
    public static func start(
        _ configuration: Configuration, ledger: Ledger?, clock: some ConsentClock = SystemConsentClock(),
        logger: Logger
    ) async throws -> ConsentListener {
        let inbox = ConsentInbox(
            state: configuration.state, credentialID: configuration.credentialID,
            ledger: configuration.credentialID == nil ? nil : ledger, clock: clock, logger: logger)
        let path = configuration.path
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            // GET only: a HEAD (a link checker, a prefetch) must not consume the redirect.
            guard request.uri.path == path, request.method == .get else {
                return Self.response(404, ConsentPage.render(
                    title: "Not found", message: "This listener only answers the admin-consent redirect.", ok: false))
            }
            let page = await inbox.handle(query: request.uri.query)
            return Self.response(page.status, page.html)
        }
        // Hummingbird's own request logs would carry the query string: keep them quiet.
        var serverLogger = logger
        serverLogger.logLevel = .error
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "bulkgrant-consent"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: serverLogger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: serverLogger))
        let task = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            _ = try? await task.value
            throw ConsentError(
                code: .cannotListen,
                message: "could not listen on \(configuration.host):\(configuration.port): is the port in use (another listener?) or below 1024 without root? Choose a free port and use it in --redirect-uri too")
        }
        return ConsentListener(configuration: configuration, port: port, inbox: inbox, task: task, group: group)
    }

    /// Suspends until the final redirect (a consent or an OAuth error) has been answered.
    public func outcome() async -> ConsentOutcome {
        await inbox.outcome()
    }

    /// Stops serving (letting the page being sent finish) and waits until the server is down.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    static func response(_ status: Int, _ html: String) -> Response {
        let body = ByteBuffer(string: html)
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: [
                .contentType: "text/html; charset=utf-8", .contentLength: String(body.readableBytes),
                .cacheControl: "no-store",
                // The page runs nothing and loads nothing (its <meta name=referrer> keeps the state from
                // leaving in a Referer header).
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'",
                .xContentTypeOptions: "nosniff",
            ],
            body: .init(byteBuffer: body))
    }
}
