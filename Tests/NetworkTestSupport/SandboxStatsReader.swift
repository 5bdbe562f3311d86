import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NylasSandbox

/// Reads `GET /__sandbox/stats` of a sandbox running in another process, over HTTPS trusting
/// `caFile` when given.
public func sandboxStats(_ baseURI: String, caFile: String? = nil) async throws -> SandboxStats {
    var configuration = HTTPClient.Configuration()
    if let caFile {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.additionalTrustRoots = [.file(caFile)]
        configuration.tlsConfiguration = tls
    }
    let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    do {
        let response = try await client.execute(HTTPClientRequest(url: baseURI + "/__sandbox/stats"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        try await client.shutdown()
        return try JSONDecoder().decode(SandboxStats.self, from: Data(body.readableBytesView))
    } catch {
        try? await client.shutdown()
        throw error
    }
}
