import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A typed client of the Nylas v3 endpoints bulkgrant uses, over one shared AsyncHTTPClient.
///
/// Every call goes through the configuration's proxy (a `CONNECT` tunnel) and TLS trust, on
/// NIO's own event loop group on every platform, so that macOS classifies TLS errors as Linux
/// does. Call `shutdown()` once when done. The calls themselves live in extensions
/// (`NylasClient+Calls.swift`, …); this file is the transport.
public final class NylasClient: Sendable {
    public let configuration: NylasClientConfiguration
    private let http: HTTPClient
    private let logger: Logger
    private let classifier: TransportClassifier
    private let probes: ProbeCache

    public init(configuration: NylasClientConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.classifier = TransportClassifier(configuration)
        self.probes = ProbeCache(configuration: configuration)
        var config = HTTPClient.Configuration()
        config.timeout = .init(
            connect: .milliseconds(Int64(configuration.connectTimeout * 1000)),
            read: .milliseconds(Int64(configuration.requestTimeout * 1000)))
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, configuration.maxConnections)
        // A redirect could carry the Authorization header to another host.
        config.redirectConfiguration = .disallow
        config.httpVersion = .http1Only
        // A refused connection fails at once and meets the engine's own retries and budget,
        // instead of AsyncHTTPClient retrying it silently until the request's deadline.
        config.connectionPool.retryConnectionEstablishment = false
        config.proxy = configuration.proxy?.configuration
        config.tlsConfiguration = configuration.tls.makeConfiguration()
        // NIO's group, not Network.framework's (AsyncHTTPClient's default on macOS): TLS runs on
        // NIOSSL everywhere, so its errors have the same types on every platform.
        self.http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: config)
    }

    /// Closes the connection pool. The client cannot be used afterwards.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Sends one call and decodes a 2xx answer as `T`; anything else becomes a `NylasError`.
    /// - Parameter template: the path with placeholders, used in errors and logs (no ids).
    func send<T: Decodable & Sendable>(
        _ method: HTTPMethod, path: String, template: String, query: [(String, String)] = [],
        body: (some Encodable & Sendable)? = Optional<Int>.none, as type: T.Type
    ) async throws -> T {
        let call = "\(method.rawValue) \(template)"
        var url = configuration.endpoint.baseURI + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        }
        let started = ContinuousClock.now
        let answer = try await exchange(
            method, url: url, call: call, authorized: true, body: try body.map { try JSONEncoder().encode($0) })
        // Whatever a server echoes of the key (in a message, a provider error, a proxy's page)
        // is gone before anything is decoded, logged or recorded.
        let data = redact(answer.body)
        let status = answer.status
        logger.debug(
            "nylas call",
            metadata: [
                "http.method": "\(method.rawValue)", "http.path": "\(template)", "http.status": .stringConvertible(status),
                "http.duration_ms": .stringConvertible(Int((ContinuousClock.now - started) / .milliseconds(1))),
            ])
        guard (200..<300).contains(status) else {
            throw errorAnswer(status: status, headers: answer.headers, data: data, call: call)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw NylasError(
                code: .unreadableBody, call: call, status: status,
                message: "answered HTTP \(status) but the body is not the expected JSON (\(describeBody(data, headers: answer.headers)))",
                // A success whose body we cannot read may still have applied the change.
                delivery: .maybeApplied)
        }
    }

    /// The API server's idea of the time, from the `Date` header of the answer to an
    /// unauthenticated `GET /v3/connectors?limit=1` (a 401 carries one too, so the API key is
    /// not sent), through the same proxy and trust as every call. Nil when no answer came or
    /// it had no usable `Date`. See `ServerClock`.
    public func serverDate() async -> Date? {
        let answer = try? await exchange(
            .GET, url: configuration.endpoint.baseURI + "/v3/connectors?limit=1", call: "GET /v3/connectors",
            authorized: false, body: nil)
        return answer?.headers.first(name: "Date").flatMap(ServerClock.parse)
    }

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
    }

    /// One request and its whole answer, within the request timeout (which covers the body
    /// too: a server trickling its answer cannot hold a call longer). A failure below HTTP
    /// becomes a `NylasError` whose `delivery` says whether the request had been written.
    private func exchange(_ method: HTTPMethod, url: String, call: String, authorized: Bool, body: Data?) async throws -> Answer {
        var headers = HTTPHeaders()
        if authorized { headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey.secret)") }
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: configuration.userAgent)
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(
                url: url, method: method, headers: headers, body: body.map { .bytes($0) })
        } catch {
            throw NylasError(code: .invalidConfiguration, call: call, message: "cannot build a request for \(redact(url)): \(error)")
        }
        let delegate = CallDelegate(limit: 32 << 20)
        let deadline = NIODeadline.now() + .milliseconds(Int64(configuration.requestTimeout * 1000))
        let task = http.execute(request: request, delegate: delegate, deadline: deadline)
        do {
            let response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            return Answer(status: Int(response.head.status.code), headers: response.head.headers, body: Data(response.body.readableBytesView))
        } catch {
            if error is CancellationError || (error as? HTTPClientError) == .cancelled || Task.isCancelled {
                throw CancellationError()
            }
            throw await transportError(error, call: call, sent: delegate.sent)
        }
    }

    private func errorAnswer(status: Int, headers: HTTPHeaders, data: Data, call: String) -> NylasError {
        let retryAfter = headers.first(name: "Retry-After").flatMap { RetryAfter.seconds(from: $0) }
        // A 5xx may come after the server applied the call; a 4xx says it did not.
        let delivery: NylasError.Delivery = status >= 500 ? .maybeApplied : .answered
        if let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: data) {
            return NylasError(
                code: .api, call: call, status: status, type: envelope.error.type,
                message: redact(envelope.error.message ?? HTTPResponseStatus(statusCode: status).reasonPhrase),
                requestID: envelope.requestId ?? headers.first(name: "x-request-id").map { redact($0) },
                providerError: envelope.error.providerError, retryAfter: retryAfter, delivery: delivery)
        }
        return NylasError(
            code: .unreadableBody, call: call, status: status,
            message: "HTTP \(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase) without a Nylas error body (\(describeBody(data, headers: headers)))",
            requestID: headers.first(name: "x-request-id").map { redact($0) }, retryAfter: retryAfter, delivery: delivery)
    }

    /// A failure below HTTP, classified by the error's type. A TLS or tunnel failure is looked
    /// at once more (`ConnectionProbe`, shared by the calls failing together) to name the
    /// certificate problem or the proxy's answer.
    private func transportError(_ error: Error, call: String, sent: Bool) async -> NylasError {
        let viaProxy = configuration.proxy != nil
        let kind = TransportClassifier.kind(of: error, sent: sent, viaProxy: viaProxy)
        let delivery: NylasError.Delivery = sent ? .maybeApplied : .notSent
        let detail = redact(ConnectionProbe.describe(error))
        var failure = classifier.failure(kind, delivery: delivery, detail: detail)
        if !sent, TransportClassifier.wantsProbe(kind), let probed = await probes.report().failure,
            probed.kind.isTLS || probed.kind.isProxy
        {
            failure = probed
        }
        let timedOut = [.connectTimeout, .readTimeout, .poolTimeout].contains(failure.kind)
        return NylasError(
            code: timedOut ? .timeout : .transport, call: call, message: redact(failure.message),
            delivery: failure.delivery, transport: failure)
    }

    private func describeBody(_ data: Data, headers: HTTPHeaders) -> String {
        if data.isEmpty { return "empty body" }
        let kind = headers.first(name: "Content-Type") ?? "no content type"
        let text = String(decoding: data.prefix(120), as: UTF8.self)
            .map { $0.isNewline || $0 == "\t" ? " " : String($0) }.joined()
        return "\(kind), \(data.count) bytes: \(redact(text))\(data.count > 120 ? "…" : "")"
    }

    /// Removes the API key and the proxy's credentials from text that came from elsewhere, in
    /// case a server or a proxy echoes them.
    private func redact(_ text: String) -> String {
        configuration.secrets.filter { !$0.isEmpty }.reduce(text) { Redaction.redact($1, in: $0) }
    }

    /// The same for a body, before it is decoded: covers every field of an error envelope.
    private func redact(_ data: Data) -> Data {
        let secrets = configuration.secrets.map { Data($0.utf8) }.filter { !$0.isEmpty }
        guard secrets.contains(where: { data.range(of: $0) != nil }) else { return data }
        return Data(redact(String(decoding: data, as: UTF8.self)).utf8)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters, so `+` and `@` survive.
    static func percentEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
