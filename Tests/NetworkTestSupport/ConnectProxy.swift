import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An HTTP `CONNECT` proxy on loopback, written with NIO for the tests: it opens tunnels and
/// counts them, can demand credentials (answering 407 to any other), and can refuse every
/// tunnel with a status of its choice. It relays bytes only: TLS runs end to end through it.
public final class ConnectProxy: Sendable {
    /// How the proxy answers `CONNECT`.
    public struct Behaviour: Sendable {
        /// Credentials it demands (`Proxy-Authorization: Basic …`); nil demands none.
        public var credentials: (user: String, password: String)?
        /// Answer every `CONNECT` with this status instead of tunnelling (e.g. 403, 502).
        public var refuseWith: Int?

        public init(credentials: (user: String, password: String)? = nil, refuseWith: Int? = nil) {
            self.credentials = credentials
            self.refuseWith = refuseWith
        }
    }

    struct Counters {
        var tunnels = 0
        var refused = 0
        var targets: [String] = []
        var upstreamPorts: Set<Int> = []
    }

    public let port: Int
    private let channel: Channel
    private let counters: NIOLockedValueBox<Counters>

    private init(port: Int, channel: Channel, counters: NIOLockedValueBox<Counters>) {
        self.port = port
        self.channel = channel
        self.counters = counters
    }

    /// `http://127.0.0.1:PORT`, with `user:password@` when given.
    public func url(user: String? = nil, password: String? = nil) -> String {
        let credentials = user.map { user in "\(user)" + (password.map { ":\($0)" } ?? "") + "@" } ?? ""
        return "http://\(credentials)127.0.0.1:\(port)"
    }

    /// Tunnels opened.
    public var tunnels: Int { counters.withLockedValue { $0.tunnels } }
    /// `CONNECT`s answered with 407 or the `refuseWith` status.
    public var refused: Int { counters.withLockedValue { $0.refused } }
    /// The `host:port` of every `CONNECT`, in order.
    public var targets: [String] { counters.withLockedValue { $0.targets } }
    /// The proxy's own ports on its connections to the targets: the peer ports a server behind
    /// it sees.
    public var upstreamPorts: Set<Int> { counters.withLockedValue { $0.upstreamPorts } }

    public static func start(_ behaviour: Behaviour = Behaviour()) async throws -> ConnectProxy {
        let counters = NIOLockedValueBox(Counters())
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectHandler(behaviour: behaviour, counters: counters))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ConnectProxy(port: channel.localAddress?.port ?? 0, channel: channel, counters: counters)
    }

    /// Stops listening (tunnels open stay open until their ends close).
    public func stop() async {
        try? await channel.close()
    }

    /// A loopback port on which nothing listens: a proxy that is down.
    public static func closedPort() async throws -> Int {
        let proxy = try await start()
        let port = proxy.port
        await proxy.stop()
        return port
    }
}

/// Reads one `CONNECT` head, answers it, and glues the client to the target.
private final class ConnectHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let behaviour: ConnectProxy.Behaviour
    private let counters: NIOLockedValueBox<ConnectProxy.Counters>
    private var buffer = ByteBuffer()
    private var answered = false

    init(behaviour: ConnectProxy.Behaviour, counters: NIOLockedValueBox<ConnectProxy.Counters>) {
        self.behaviour = behaviour
        self.counters = counters
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !answered else { return }
        buffer.writeBuffer(&bytes)
        guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes),
            let end = text.range(of: "\r\n\r\n")
        else { return }
        answered = true
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let request = lines.first?.split(separator: " ") ?? []
        guard request.count == 3, request[0] == "CONNECT" else {
            reply(context, "400 Bad Request", close: true)
            return
        }
        let target = String(request[1])
        counters.withLockedValue { $0.targets.append(target) }
        if let credentials = behaviour.credentials {
            let expected = "Basic " + Data("\(credentials.user):\(credentials.password)".utf8).base64EncodedString()
            let given = lines.dropFirst().first { $0.lowercased().hasPrefix("proxy-authorization:") }
                .map { $0.dropFirst("proxy-authorization:".count).trimmingCharacters(in: .whitespaces) }
            guard given == expected else {
                counters.withLockedValue { $0.refused += 1 }
                reply(context, "407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"tests\"", close: true)
                return
            }
        }
        if let status = behaviour.refuseWith {
            counters.withLockedValue { $0.refused += 1 }
            reply(context, "\(status) Refused by the test proxy", close: true)
            return
        }
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else {
            reply(context, "400 Bad Request", close: true)
            return
        }
        let host = target[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        // The client waits for the answer before it sends anything more: nothing is left over.
        open(context, host: host, port: port)
    }

    private func open(_ context: ChannelHandlerContext, host: String, port: Int) {
        let counters = self.counters
        ClientBootstrap(group: context.eventLoop).connect(host: host, port: port).assumeIsolated().whenComplete { result in
            switch result {
            case .failure:
                self.reply(context, "502 Bad Gateway", close: true)
            case .success(let peer):
                counters.withLockedValue {
                    $0.tunnels += 1
                    if let local = peer.localAddress?.port { $0.upstreamPorts.insert(local) }
                }
                let (mine, theirs) = GlueHandler.matchedPair()
                do {
                    try peer.pipeline.syncOperations.addHandler(theirs)
                    self.reply(context, "200 Connection Established", close: false)
                    try context.pipeline.syncOperations.addHandler(mine)
                    context.pipeline.syncOperations.removeHandler(self, promise: nil)
                } catch {
                    peer.close(promise: nil)
                    context.close(promise: nil)
                }
            }
        }
    }

    private func reply(_ context: ChannelHandlerContext, _ status: String, close: Bool) {
        let head = "HTTP/1.1 \(status)\r\n" + (close ? "Content-Length: 0\r\nConnection: close\r\n" : "") + "\r\n"
        let written = context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: head)))
        if close { written.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }
}

/// Relays everything one channel reads to its partner, with back-pressure (after
/// swift-nio-examples' connect proxy). Both channels are on one event loop.
private final class GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    static func matchedPair() -> (GlueHandler, GlueHandler) {
        let first = GlueHandler()
        let second = GlueHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { partner?.context?.write(data, promise: nil) }

    func channelReadComplete(context: ChannelHandlerContext) { partner?.context?.flush() }

    func channelInactive(context: ChannelHandlerContext) { partner?.context?.close(promise: nil) }

    func errorCaught(context: ChannelHandlerContext, error: Error) { partner?.context?.close(promise: nil) }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        guard context.channel.isWritable, let partner, partner.pendingRead else { return }
        partner.pendingRead = false
        partner.context?.read()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.context?.channel.isWritable ?? false {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
