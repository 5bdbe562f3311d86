import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// What one connection to the API host found, step by step: for `bulkgrant doctor`, and to tell
/// which certificate problem made a client's handshake fail.
public struct ConnectionReport: Sendable, Hashable {
    /// The API host and port, `api.us.nylas.com:443`.
    public var target: String
    /// The proxy, redacted and with its source; nil for a direct connection.
    public var proxy: String?
    /// The proxy's answer to `CONNECT`, when one came.
    public var tunnelStatus: Int?
    /// The tunnel (or, without a proxy, the TCP connection) is open.
    public var connected = false
    /// The endpoint is `https://`.
    public var usesTLS: Bool
    public var handshakeCompleted = false
    /// The certificate the server presented, verified or not.
    public var certificate: CertificateSummary?
    /// Whom the client trusts, as `TLS.trustDescription` says.
    public var trust: String
    /// The first step that failed; nil when every step worked.
    public var failure: TransportFailure?
}

/// Opens one connection the way `NylasClient` does — through the proxy with `CONNECT` when there
/// is one, then TLS with the client's trust roots — and reports each step. When the handshake
/// fails it connects once more, accepting any certificate only to read it, and decides from the
/// certificate whether it expired, is not valid yet, names another host, or has an issuer this
/// machine does not trust. Nothing is sent inside the tunnel: the connection closes after the
/// handshake.
public enum ConnectionProbe {
    public static func run(_ configuration: NylasClientConfiguration, now: Date = Date()) async -> ConnectionReport {
        let classifier = TransportClassifier(configuration)
        let endpoint = configuration.endpoint
        var report = ConnectionReport(
            target: endpoint.authority, proxy: configuration.proxy?.described, usesTLS: endpoint.usesTLS,
            trust: configuration.tls.trustDescription)
        let channel: Channel
        switch await openTunnel(configuration) {
        case .failure(let step):
            report.tunnelStatus = step.status
            report.failure = classifier.failure(
                step.kind, delivery: .notSent, detail: step.detail, status: step.status, now: now)
            return report
        case .success(let opened):
            channel = opened.channel
            report.tunnelStatus = opened.status
        }
        report.connected = true
        guard endpoint.usesTLS else {
            try? await channel.close()
            return report
        }
        let verified = await handshake(channel, configuration, recordOnly: false)
        try? await channel.close()
        switch verified {
        case .success(let certificates):
            report.handshakeCompleted = true
            report.certificate = certificates.first.flatMap(CertificateSummary.init)
            return report
        case .failure(let error):
            let kind = TransportClassifier.kind(of: error, sent: false, viaProxy: configuration.proxy != nil)
            // A second look, accepting anything, tells the certificate problem apart.
            var presented: CertificateSummary?
            if case .success(let opened) = await openTunnel(configuration) {
                if case .success(let chain) = await handshake(opened.channel, configuration, recordOnly: true) {
                    presented = chain.first.flatMap(CertificateSummary.init)
                }
                try? await opened.channel.close()
            }
            report.certificate = presented
            let diagnosed = diagnose(kind, certificate: presented, host: endpoint.host, now: now)
            report.failure = classifier.failure(
                diagnosed, delivery: .notSent, detail: diagnosed == .tlsHandshakeFailed ? describe(error) : nil,
                certificate: presented, now: now)
            return report
        }
    }

    /// The certificate problem behind a failed verification, from the certificate itself: its
    /// dates against `now`, then its names against `host`; what remains is an issuer the trust
    /// roots lack. Without a certificate (the second handshake failed too) it stays a
    /// handshake failure.
    static func diagnose(
        _ kind: TransportFailure.Kind, certificate: CertificateSummary?, host: String, now: Date
    ) -> TransportFailure.Kind {
        guard kind.isTLS, let certificate else { return kind }
        if kind == .tlsHostnameMismatch { return kind }
        if now > certificate.notValidAfter { return .tlsExpired }
        if now < certificate.notValidBefore { return .tlsNotYetValid }
        if !certificate.names(host: host) { return .tlsHostnameMismatch }
        return .tlsUnknownIssuer
    }

    // MARK: Steps

    struct StepFailure: Error {
        var kind: TransportFailure.Kind
        var status: Int?
        var detail: String?
    }

    struct Opened {
        var channel: Channel
        var status: Int?
    }

    /// A TCP connection to the host, or to the proxy with a `CONNECT` tunnel through it.
    private static func openTunnel(_ configuration: NylasClientConfiguration) async -> Result<Opened, StepFailure> {
        let endpoint = configuration.endpoint
        let proxy = configuration.proxy
        let timeout = TimeAmount.milliseconds(Int64(configuration.connectTimeout * 1000))
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .connect(host: proxy?.host ?? endpoint.host, port: proxy?.port ?? endpoint.port).get()
        } catch {
            return .failure(
                StepFailure(
                    kind: TransportClassifier.kind(of: error, sent: false, viaProxy: proxy != nil),
                    detail: describe(error)))
        }
        guard let proxy else { return .success(Opened(channel: channel)) }
        let status: Int
        do {
            status = try await connect(channel, to: endpoint.authority, proxy: proxy, timeout: timeout)
        } catch {
            try? await channel.close()
            return .failure(StepFailure(kind: .tunnelFailed, detail: "no answer to CONNECT: \(describe(error))"))
        }
        if status == 407 {
            try? await channel.close()
            return .failure(StepFailure(kind: .proxyAuthenticationRequired, status: status))
        }
        guard (200..<300).contains(status) else {
            try? await channel.close()
            return .failure(StepFailure(kind: .tunnelFailed, status: status))
        }
        return .success(Opened(channel: channel, status: status))
    }

    /// Sends `CONNECT` and reads the status of the answer's head.
    private static func connect(_ channel: Channel, to authority: String, proxy: NylasClientConfiguration.Proxy, timeout: TimeAmount)
        async throws -> Int
    {
        let promise = channel.eventLoop.makePromise(of: Int.self)
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { promise.fail(HTTPClientError.httpProxyHandshakeTimeout) }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(ConnectAnswerReader(promise: promise))
        }.get()
        var request = "CONNECT \(authority) HTTP/1.1\r\nHost: \(authority)\r\n"
        if let authorization = proxy.authorizationHeader { request += "Proxy-Authorization: \(authorization)\r\n" }
        request += "\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request))
        return try await promise.futureResult.get()
    }

    /// A TLS handshake on `channel` with the client's trust; `recordOnly` accepts any
    /// certificate. Gives the certificates the server presented.
    private static func handshake(_ channel: Channel, _ configuration: NylasClientConfiguration, recordOnly: Bool) async
        -> Result<[NIOSSLCertificate], Error>
    {
        let host = configuration.endpoint.host
        let serverName = IPAddressText.bytes(host) == nil ? host : nil
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let timeout = TimeAmount.milliseconds(Int64(configuration.connectTimeout * 1000))
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { promise.fail(HTTPClientError.tlsHandshakeTimeout) }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        let recorded = NIOLockedValueBox<[NIOSSLCertificate]>([])
        do {
            var tls = configuration.tls.makeConfiguration()
            // The second look reads the certificate whatever its names: it judges them itself.
            if recordOnly { tls.certificateVerification = .noHostnameVerification }
            let context = try NIOSSLContext(configuration: tls)
            try await channel.eventLoop.submit {
                let handler: NIOSSLClientHandler
                if recordOnly {
                    handler = try NIOSSLClientHandler(
                        context: context, serverHostname: serverName,
                        customVerificationCallback: { certificates, verdict in
                            recorded.withLockedValue { $0 = certificates }
                            verdict.succeed(.certificateVerified)
                        })
                } else {
                    handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                }
                try channel.pipeline.syncOperations.addHandler(handler)
                try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(promise: promise))
            }.get()
            try await promise.futureResult.get()
            if recordOnly { return .success(recorded.withLockedValue { $0 }) }
            let peer = try await channel.nioSSL_peerCertificate().get()
            return .success(peer.map { [$0] } ?? [])
        } catch {
            promise.fail(error)
            let chain = recorded.withLockedValue { $0 }
            return recordOnly && !chain.isEmpty ? .success(chain) : .failure(error)
        }
    }

    /// An error's text without the noise of BoringSSL's source paths.
    static func describe(_ error: Error) -> String {
        String(describing: error).replacingOccurrences(of: #" at /[^ ,\])]*"#, with: "", options: .regularExpression)
    }
}

/// Reads the proxy's answer to `CONNECT` up to the end of its head, and gives its status.
private final class ConnectAnswerReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<Int>
    private var buffer = ByteBuffer()

    init(promise: EventLoopPromise<Int>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        buffer.writeBuffer(&bytes)
        let text = String(buffer: buffer)
        guard let end = text.range(of: "\r\n\r\n") else {
            if buffer.readableBytes > 16 << 10 { promise.fail(HTTPClientError.invalidProxyResponse) }
            return
        }
        let statusLine = text[..<end.lowerBound].split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            promise.fail(HTTPClientError.invalidProxyResponse)
            return
        }
        promise.succeed(status)
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(HTTPClientError.remoteConnectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
    }
}

/// Completes when the TLS handshake does, or fails with its error.
private final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { promise.succeed(()) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(HTTPClientError.remoteConnectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
    }
}
