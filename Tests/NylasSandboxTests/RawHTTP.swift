import Foundation
import NylasSandbox

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A raw HTTP exchange with the sandbox, bypassing `NylasClient`, to see the bytes on the wire.
struct RawAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw SandboxError("not a JSON object: \(String(decoding: body, as: UTF8.self))")
        }
        return object
    }
}

/// Sends one request with exactly the given headers (URLSession adds only Host, Accept-Encoding
/// and Content-Length) and returns the answer.
func raw(
    _ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil
) async throws -> RawAnswer {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    request.httpBody = body
    let session = URLSession(configuration: .ephemeral)
    defer { session.finishTasksAndInvalidate() }
    let (data, response) = try await session.data(for: request)
    let http = response as! HTTPURLResponse
    var fields: [String: String] = [:]
    for (name, value) in http.allHeaderFields {
        fields[String(describing: name).lowercased()] = String(describing: value)
    }
    return RawAnswer(status: http.statusCode, headers: fields, body: data)
}
