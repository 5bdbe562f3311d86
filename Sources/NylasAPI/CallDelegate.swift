import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Collects one answer for `NylasClient`, and records whether the request head was written:
/// what tells "not sent" (nothing can have been applied) from "maybe applied" when the call
/// fails without an answer. AsyncHTTPClient's async API does not say.
final class CallDelegate: HTTPClientResponseDelegate {
    struct Response: Sendable {
        var head: HTTPResponseHead
        var body: ByteBuffer
    }

    /// The answer's body grew past the limit.
    struct BodyTooLarge: Error, CustomStringConvertible {
        var limit: Int
        var description: String { "the answer's body is larger than \(limit >> 20) MB" }
    }

    private struct State {
        var sent = false
        var head: HTTPResponseHead?
        var body = ByteBuffer()
    }

    private let state = NIOLockedValueBox(State())
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// The request head was written to a connection open to the server (or its tunnel).
    var sent: Bool { state.withLockedValue { $0.sent } }

    func didSendRequestHead(task: HTTPClient.Task<Response>, _ head: HTTPRequestHead) {
        state.withLockedValue { $0.sent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLockedValue { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let fits = state.withLockedValue { state -> Bool in
            guard state.body.readableBytes + buffer.readableBytes <= limit else { return false }
            var part = buffer
            state.body.writeBuffer(&part)
            return true
        }
        return fits ? task.eventLoop.makeSucceededVoidFuture() : task.eventLoop.makeFailedFuture(BodyTooLarge(limit: limit))
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        try state.withLockedValue { state in
            guard let head = state.head else { throw HTTPClientError.remoteConnectionClosed }
            return Response(head: head, body: state.body)
        }
    }
}

/// The last `ConnectionProbe` of a client, shared by the calls that fail together (a pool whose
/// connection fails fails every waiting call at once) and kept for 30 seconds.
actor ProbeCache {
    private let configuration: NylasClientConfiguration
    private var last: (at: ContinuousClock.Instant, task: Task<ConnectionReport, Never>)?

    init(configuration: NylasClientConfiguration) { self.configuration = configuration }

    func report() async -> ConnectionReport {
        if let last, ContinuousClock.now - last.at < .seconds(30) { return await last.task.value }
        let configuration = self.configuration
        let task = Task { await ConnectionProbe.run(configuration) }
        last = (.now, task)
        return await task.value
    }
}
