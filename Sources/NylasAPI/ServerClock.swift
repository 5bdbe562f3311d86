import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The API server's idea of the time, from the `Date` header every HTTP answer carries, so that
/// `bulkgrant doctor` can tell a skewed system clock (which breaks JWT assertions and tokens).
public enum ServerClock {
    /// The `Date` of the answer to an unauthenticated `GET {base}/v3/connectors`: a 401 carries
    /// one too, so the API key is not sent. Nil when no answer came or it had no usable `Date`.
    public static func date(at endpoint: APIEndpoint, timeout: Double = 10) async -> Date? {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(
            connect: .milliseconds(Int64(timeout * 1000)), read: .milliseconds(Int64(timeout * 1000)))
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        var request = HTTPClientRequest(url: endpoint.baseURI + "/v3/connectors?limit=1")
        request.headers.add(name: "User-Agent", value: "bulkgrant/\(BulkgrantVersion.current)")
        var date: Date?
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            date = response.headers.first(name: "Date").flatMap(parse)
            _ = try? await response.body.collect(upTo: 1 << 20)
        } catch {
            date = nil
        }
        try? await client.shutdown()
        return date
    }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 has servers send.
    public static func parse(_ value: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: value.trimmingCharacters(in: .whitespaces))
    }
}
