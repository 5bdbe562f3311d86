import Foundation
import NylasAPI

/// Retries an idempotent call (a read, or a delete) on transient failures, so that one 503 on
/// page 40 of a listing does not end it: up to `attempts` tries, waiting `Retry-After` when the
/// answer has one, else a jittered exponential backoff. Each retry is announced on stderr.
enum Retrying {
    static let attempts = 4
    /// A `Retry-After` longer than this is not waited out: the command stops instead.
    static let longestWait = 60.0

    static func idempotent<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as NylasError where attempt < attempts && isTransient(error) {
                let backoff = 0.5 * pow(2, Double(attempt - 1)) * Double.random(in: 0.5...1)
                let wait = error.retryAfter ?? backoff
                guard wait <= longestWait else { throw error }
                Console.error("\(error); retrying in \(String(format: "%.1f", wait)) s (try \(attempt + 1) of \(attempts))")
                try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                attempt += 1
            }
        }
    }

    /// A delete, retried as `idempotent` does; a 404 on a retry means an earlier try was
    /// applied although its answer was lost, and is the delete's success. A 404 at the first try
    /// is thrown: there was nothing to delete.
    static func deleting(_ body: () async throws -> DeleteResponse) async throws -> (answer: DeleteResponse, foundGone: Bool) {
        var tried = false
        var foundGone = false
        let answer = try await idempotent { () async throws -> DeleteResponse in
            defer { tried = true }
            do {
                return try await body()
            } catch let error as NylasError where error.status == 404 && tried {
                foundGone = true
                return DeleteResponse(requestId: error.requestID)
            }
        }
        return (answer, foundGone)
    }

    /// 429, 5xx, timeouts, broken connections and unreadable bodies: worth another try.
    static func isTransient(_ error: NylasError) -> Bool {
        // A proxy or TLS failure repeats until a person changes the settings.
        if error.isAuthenticationFailure || error.transport?.needsOperator == true { return false }
        if let status = error.status, error.code == .api { return status == 429 || status >= 500 }
        return error.code == .timeout || error.code == .transport || error.code == .unreadableBody
    }
}
