import Foundation
import Hummingbird
import NIOCore
import NylasAPI

/// Binds the Nylas paths to `SandboxState` and applies the throttle and the fault plan to
/// every `/v3` call: key check, rate limit, injected fault, latency, work, lost answer.
struct SandboxRoutes: Sendable {
    let state: SandboxState

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v3/connectors") { request, context in
            try await serve(request, "/v3/connectors", group: "connectors") { _ in
                let query = Self.query(request)
                return await state.listConnectors(limit: Self.limit(query, 10), offset: Self.offset(query))
            }
        }
        router.post("/v3/connectors") { request, context in
            try await serve(request, "/v3/connectors", group: "connectors") { body in
                await state.createConnector(body: body)
            }
        }
        router.get("/v3/connectors/:provider") { request, context in
            let provider = context.parameters.get("provider") ?? ""
            return try await serve(request, "/v3/connectors/{provider}", group: "connectors") { _ in
                await state.getConnector(provider: provider)
            }
        }
        router.post("/v3/connectors/:provider/creds") { request, context in
            let provider = context.parameters.get("provider") ?? ""
            return try await serve(request, "/v3/connectors/{provider}/creds", group: "connectors") { body in
                await state.createCredential(provider: provider, body: body)
            }
        }
        router.get("/v3/connectors/:provider/creds") { request, context in
            let provider = context.parameters.get("provider") ?? ""
            return try await serve(request, "/v3/connectors/{provider}/creds", group: "connectors") { _ in
                let query = Self.query(request)
                return await state.listCredentials(
                    provider: provider, limit: Self.limit(query, 10), offset: Self.offset(query),
                    ascending: query["order_by"] == "asc")
            }
        }
        router.get("/v3/connectors/:provider/creds/:id") { request, context in
            let provider = context.parameters.get("provider") ?? ""
            let id = context.parameters.get("id") ?? ""
            return try await serve(request, "/v3/connectors/{provider}/creds/{id}", group: "connectors") { _ in
                await state.getCredential(provider: provider, id: id)
            }
        }
        router.delete("/v3/connectors/:provider/creds/:id") { request, context in
            let provider = context.parameters.get("provider") ?? ""
            let id = context.parameters.get("id") ?? ""
            return try await serve(request, "/v3/connectors/{provider}/creds/{id}", group: "connectors") { _ in
                await state.deleteCredential(provider: provider, id: id)
            }
        }
        router.post("/v3/connect/custom") { request, context in
            try await serve(request, "/v3/connect/custom", group: "connect") { body in
                await state.customAuthentication(body: body)
            }
        }
        router.get("/v3/grants") { request, context in
            try await serve(request, "/v3/grants", group: "grants") { _ in
                await state.listGrants(Self.query(request))
            }
        }
        router.get("/v3/grants/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await serve(request, "/v3/grants/{grantId}", group: "grants") { _ in
                await state.getGrant(id: id)
            }
        }
        router.delete("/v3/grants/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await serve(request, "/v3/grants/{grantId}", group: "grants") { _ in
                await state.deleteGrant(id: id)
            }
        }
        router.get("/__sandbox/stats") { _, _ in
            let stats = await state.stats()
            let answer = SandboxAnswer.ok(200, stats)
            return Self.response(answer.status, answer.body)
        }
    }

    /// The pipeline every `/v3` call goes through.
    private func serve(
        _ request: Request, _ path: String, group: String,
        work: @Sendable (Data) async -> SandboxAnswer
    ) async throws -> Response {
        let method = request.method.rawValue
        await state.began()
        // Whatever ends the call (an answer, a lost connection, a cancelled handler), it is no
        // longer in progress: `settled()` waits for exactly this.
        defer { Task { await state.ended() } }
        var request = request
        let body = Data(try await request.collectBody(upTo: 4 << 20).readableBytesView)
        let admission = await state.admit(
            authorization: request.headers[.authorization], method: method, group: group, path: path)
        switch admission {
        case .unauthorized:
            await state.record(method: method, path: path, status: 401)
            let answer = SandboxAnswer.error(
                401, type: "api.authentication_error", "Unauthorized: the API key is missing or wrong for this application")
            return Self.response(answer.status, answer.body)
        case .throttled(let wait):
            await state.record(method: method, path: path, status: 429)
            let answer = SandboxAnswer.error(
                429, type: "nylas_rate_limit_exceeded", "Too many requests: the application's rate limit was exceeded")
            var response = Self.response(answer.status, answer.body)
            if let retryAfter = await state.configuration.rateLimitRetryAfter {
                response.headers[.retryAfter] = String(max(retryAfter, Int(wait.rounded(.up))))
            }
            return response
        case .scripted(let fault):
            return try await scripted(fault, method: method, path: path, body: body, work: work)
        case .fault(let fault):
            let plan = await state.configuration.faults
            try await Self.sleep(plan.latencyMs.lowerBound / 1000)
            return await injected(fault, plan: plan, method: method, path: path)
        case .proceed(let latency, let after):
            try await Self.sleep(latency)
            let answer = await work(body)
            switch after {
            case .drop:
                await state.record(method: method, path: path, status: 0)
                return Self.droppedResponse(answer.status)
            case .hang(let seconds):
                try await Self.sleep(seconds)
            default:
                break
            }
            await state.record(method: method, path: path, status: answer.status)
            return Self.response(answer.status, answer.body)
        }
    }

    private func injected(_ fault: SandboxState.Fault, plan: FaultPlan, method: String, path: String) async -> Response {
        switch fault {
        case .html:
            await state.record(method: method, path: path, status: 502)
            var response = Self.response(
                502, Data("<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>".utf8))
            response.headers[.contentType] = "text/html"
            return response
        case .empty:
            await state.record(method: method, path: path, status: 500)
            return Response(status: .internalServerError, headers: [.contentLength: "0"], body: .init())
        case .burst(let wait):
            await state.record(method: method, path: path, status: 429)
            let answer = SandboxAnswer.error(429, type: "nylas_rate_limit_exceeded", "Too many requests")
            var response = Self.response(429, answer.body)
            response.headers[.retryAfter] = String(Int(wait.rounded(.up)))
            return response
        case .status(let status):
            await state.record(method: method, path: path, status: status)
            let type = status == 429 ? "nylas_rate_limit_exceeded" : (status >= 500 ? "api.internal_error" : "api.invalid_request_error")
            let answer = SandboxAnswer.error(status, type: type, "Injected failure (sandbox fault plan)")
            var response = Self.response(status, answer.body)
            if status == 429, let style = plan.retryAfter {
                switch style {
                case .seconds(let seconds):
                    response.headers[.retryAfter] = String(seconds)
                case .httpDate(let seconds):
                    response.headers[.retryAfter] = RetryAfter.httpDate(Date().addingTimeInterval(Double(seconds)))
                }
            }
            return response
        case .drop, .hang:
            return Self.response(500, Data())
        }
    }

    static func response(_ status: Int, _ body: Data) -> Response {
        Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: "application/json", .contentLength: String(body.count)],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A response whose body write fails, so the server closes the connection mid-answer.
    static func droppedResponse(_ status: Int) -> Response {
        Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: "application/json", .contentLength: "4096"],
            body: ResponseBody { _ in throw CancellationError() })
    }

    static func sleep(_ seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
    }

    static func query(_ request: Request) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            result[String(key)] = String(value)
        }
        return result
    }

    static func limit(_ query: [String: String], _ fallback: Int) -> Int {
        min(max(Int(query["limit"] ?? "") ?? fallback, 1), 200)
    }

    static func offset(_ query: [String: String]) -> Int {
        max(Int(query["offset"] ?? "") ?? 0, 0)
    }
}
