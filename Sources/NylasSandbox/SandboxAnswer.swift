import Foundation
import NylasAPI

/// A status and JSON body, before faults decide how (or whether) it reaches the client.
struct SandboxAnswer: Sendable {
    var status: Int
    var body: Data

    static func ok<T: Encodable>(_ status: Int = 200, _ value: T) -> SandboxAnswer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return SandboxAnswer(status: status, body: (try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    static func ok<T: Encodable>(_ value: T) -> SandboxAnswer { ok(200, value) }

    /// The Nylas error envelope.
    static func error(
        _ status: Int, type: String, _ message: String, providerError: JSONValue? = nil
    ) -> SandboxAnswer {
        ok(
            status,
            ErrorEnvelope(
                requestId: newRequestID(),
                error: .init(type: type, message: message, providerError: providerError)))
    }

    static func newRequestID() -> String { UUID().uuidString.lowercased() }
}
