import Foundation
import Hummingbird
import NIOCore
import NylasAPI

/// How a scripted fault reaches the client: the work done or not, then the answer spoiled the
/// way the fault says. Kept apart from `serve` so the everyday pipeline stays short.
extension SandboxRoutes {
    func scripted(
        _ fault: ScriptedFault, method: String, path: String, body: Data,
        work: @Sendable (Data) async -> SandboxAnswer
    ) async throws -> Response {
        let answer = fault.applies ? await work(body) : nil
        switch fault {
        case .status(let status, let retryAfter):
            await state.record(method: method, path: path, status: status)
            let type =
                status == 429
                ? "nylas_rate_limit_exceeded"
                : status == 401
                    ? "api.authentication_error" : (status >= 500 ? "api.internal_error" : "api.invalid_request_error")
            let error = SandboxAnswer.error(status, type: type, "Injected failure (sandbox script)")
            var response = Self.response(status, error.body)
            switch retryAfter {
            case .seconds(let seconds)?:
                response.headers[.retryAfter] = String(seconds)
            case .httpDate(let seconds)?:
                response.headers[.retryAfter] = RetryAfter.httpDate(Date().addingTimeInterval(Double(seconds)))
            case nil:
                break
            }
            return response
        case .raw(let status, let contentType, let text):
            await state.record(method: method, path: path, status: status)
            var response = Self.response(status, Data(text.utf8))
            response.headers[.contentType] = contentType
            return response
        case .resetBeforeApply, .resetAfterApply:
            await state.record(method: method, path: path, status: 0)
            return Self.droppedResponse(answer?.status ?? 500)
        case .hang(let seconds):
            try await Self.sleep(seconds)
            let answer = answer!
            await state.record(method: method, path: path, status: answer.status)
            return Self.response(answer.status, answer.body)
        case .slowApply(let seconds):
            try await Self.sleep(seconds)
            let answer = await work(body)
            await state.record(method: method, path: path, status: answer.status)
            return Self.response(answer.status, answer.body)
        case .truncatedBody:
            let answer = answer!
            await state.record(method: method, path: path, status: answer.status)
            return Self.response(answer.status, answer.body.prefix(answer.body.count / 2))
        case .emptySuccess:
            await state.record(method: method, path: path, status: 200)
            return Self.response(200, Data())
        case .pass:
            // Never admitted as a fault (`takeScripted` serves it as usual); answered plainly here.
            let answer = await work(body)
            await state.record(method: method, path: path, status: answer.status)
            return Self.response(answer.status, answer.body)
        case .trickle(let interval):
            let answer = answer!
            await state.record(method: method, path: path, status: answer.status)
            let bytes = answer.body
            return Response(
                status: HTTPResponse.Status(code: answer.status),
                headers: [.contentType: "application/json", .contentLength: String(bytes.count)],
                body: ResponseBody(contentLength: bytes.count) { writer in
                    for byte in bytes {
                        try await writer.write(ByteBuffer(bytes: [byte]))
                        try await Self.sleep(interval)
                    }
                    try await writer.finish(nil)
                })
        }
    }
}
