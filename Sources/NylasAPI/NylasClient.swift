import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A typed client of the Nylas v3 endpoints bulkgrant uses, over one shared AsyncHTTPClient.
///
/// Call `shutdown()` once when done. The calls themselves live in extensions
/// (`NylasClient+Grants.swift`, …); this file is the transport.
public final class NylasClient: Sendable {
    public let configuration: NylasClientConfiguration
    private let http: HTTPClient
    private let logger: Logger

    public init(configuration: NylasClientConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
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
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
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
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey.secret)")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let started = ContinuousClock.now
        let status: Int
        let headers: HTTPHeaders
        let bytes: ByteBuffer
        let deadline = NIODeadline.now() + .milliseconds(Int64(configuration.requestTimeout * 1000))
        do {
            let response = try await http.execute(request, deadline: deadline)
            status = Int(response.status.code)
            headers = response.headers
            bytes = try await Self.collect(response.body, by: deadline)
        } catch {
            if error is CancellationError { throw error }
            throw transportError(error, call: call, mutating: method != .GET)
        }
        // Whatever a server echoes of the key (in a message, a provider error, a proxy's page)
        // is gone before anything is decoded, logged or recorded.
        let data = redact(Data(bytes.readableBytesView))
        logger.debug(
            "nylas call",
            metadata: [
                "http.method": "\(method.rawValue)", "http.path": "\(template)", "http.status": .stringConvertible(status),
                "http.duration_ms": .stringConvertible(Int((ContinuousClock.now - started) / .milliseconds(1))),
            ])
        guard (200..<300).contains(status) else {
            throw errorAnswer(status: status, headers: headers, data: data, call: call)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw NylasError(
                code: .unreadableBody, call: call, status: status,
                message: "answered HTTP \(status) but the body is not the expected JSON (\(describeBody(data, headers: headers)))",
                // A success whose body we cannot read may still have applied the change.
                outcomeUnknown: method != .GET)
        }
    }

    /// Reads a body, giving up at `deadline`. AsyncHTTPClient's deadline covers only the wait for
    /// the response head, and its read timeout restarts with every byte, so without this a server
    /// trickling its answer could hold one call, and the run, for as long as it liked.
    private static func collect(_ body: HTTPClientResponse.Body, by deadline: NIODeadline) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: 32 << 20) }
            group.addTask {
                let left = deadline.uptimeNanoseconds.subtractingReportingOverflow(NIODeadline.now().uptimeNanoseconds)
                if !left.overflow, left.partialValue > 0 { try await Task.sleep(nanoseconds: left.partialValue) }
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw HTTPClientError.deadlineExceeded
            }
            return bytes
        }
    }

    private func errorAnswer(status: Int, headers: HTTPHeaders, data: Data, call: String) -> NylasError {
        let retryAfter = headers.first(name: "Retry-After").flatMap { RetryAfter.seconds(from: $0) }
        let unknown = status >= 500
        if let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: data) {
            return NylasError(
                code: .api, call: call, status: status, type: envelope.error.type,
                message: redact(envelope.error.message ?? HTTPResponseStatus(statusCode: status).reasonPhrase),
                requestID: envelope.requestId ?? headers.first(name: "x-request-id").map { redact($0) },
                providerError: envelope.error.providerError, retryAfter: retryAfter, outcomeUnknown: unknown)
        }
        return NylasError(
            code: .unreadableBody, call: call, status: status,
            message: "HTTP \(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase) without a Nylas error body (\(describeBody(data, headers: headers)))",
            requestID: headers.first(name: "x-request-id").map { redact($0) }, retryAfter: retryAfter, outcomeUnknown: unknown)
    }

    private func transportError(_ error: Error, call: String, mutating: Bool) -> NylasError {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                return NylasError(
                    code: .timeout, call: call,
                    message: "could not connect to \(configuration.endpoint.host) within \(Int(configuration.connectTimeout)) s")
            case .deadlineExceeded, .readTimeout:
                return NylasError(
                    code: .timeout, call: call,
                    message: "no answer within \(Int(configuration.requestTimeout)) s", outcomeUnknown: mutating)
            default:
                break
            }
        }
        let text = redact(String(describing: error))
        // A refused connection never reached the server; anything else may have.
        let refused = text.contains("connection refused") || text.contains("Connection refused")
            || text.contains("NIOConnectionError")
        if text.contains("Connection refused") || text.contains("connection refused") {
            return NylasError(
                code: .transport, call: call,
                message: "connection to \(configuration.endpoint.baseURI) refused: nothing answers there; check --api-uri or --region, or the proxy in between")
        }
        return NylasError(
            code: .transport, call: call,
            message: "connection to \(configuration.endpoint.host) failed: \(text)",
            outcomeUnknown: mutating && !refused)
    }

    private func describeBody(_ data: Data, headers: HTTPHeaders) -> String {
        if data.isEmpty { return "empty body" }
        let kind = headers.first(name: "Content-Type") ?? "no content type"
        let text = String(decoding: data.prefix(120), as: UTF8.self)
            .map { $0.isNewline || $0 == "\t" ? " " : String($0) }.joined()
        return "\(kind), \(data.count) bytes: \(redact(text))\(data.count > 120 ? "…" : "")"
    }

    /// Removes the API key from text that came from elsewhere, in case a server echoes it.
    private func redact(_ text: String) -> String {
        Redaction.redact(configuration.apiKey.secret, in: text)
    }

    /// The same for a body, before it is decoded: covers every field of an error envelope.
    private func redact(_ data: Data) -> Data {
        let secret = Data(configuration.apiKey.secret.utf8)
        guard !secret.isEmpty, data.range(of: secret) != nil else { return data }
        return Data(redact(String(decoding: data, as: UTF8.self)).utf8)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters, so `+` and `@` survive.
    static func percentEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
