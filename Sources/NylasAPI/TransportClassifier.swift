import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Turns an error from below HTTP into a `TransportFailure`: its kind from the error's type, and
/// a message naming the API host or the proxy and the fix.
struct TransportClassifier: Sendable {
    let endpoint: APIEndpoint
    let proxy: NylasClientConfiguration.Proxy?
    let tls: NylasClientConfiguration.TLS
    let connectTimeout: Double
    let requestTimeout: Double

    init(_ configuration: NylasClientConfiguration) {
        endpoint = configuration.endpoint
        proxy = configuration.proxy
        tls = configuration.tls
        connectTimeout = configuration.connectTimeout
        requestTimeout = configuration.requestTimeout
    }

    /// The kind of `error`. `sent`: whether the request head had been written; a failure after
    /// that is a closed connection or a timeout whatever its type.
    static func kind(of error: Error, sent: Bool, viaProxy: Bool) -> TransportFailure.Kind {
        if sent {
            if let error = error as? HTTPClientError, error == .readTimeout || error == .deadlineExceeded {
                return .readTimeout
            }
            return isClosed(error) ? .connectionClosed : .other
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return viaProxy ? .proxyUnreachable : .connectTimeout
            case .proxyAuthenticationRequired: return .proxyAuthenticationRequired
            case .invalidProxyResponse, .httpProxyHandshakeTimeout: return .tunnelFailed
            case .tlsHandshakeTimeout: return .tlsHandshakeFailed
            case .deadlineExceeded, .getConnectionFromPoolTimeout: return .poolTimeout
            case .readTimeout: return .readTimeout
            default: return isClosed(error) ? .connectionClosed : .other
            }
        }
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return viaProxy ? .proxyUnresolvable : .dnsFailure
            }
            if error.connectionErrors.contains(where: { isRefused($0.error) }) {
                return viaProxy ? .proxyRefused : .connectionRefused
            }
            if error.connectionErrors.contains(where: { isConnectTimeout($0.error) }) {
                return viaProxy ? .proxyUnreachable : .connectTimeout
            }
            return viaProxy ? .proxyUnreachable : .connectFailed
        }
        if error is SocketAddressError.UnknownHost { return viaProxy ? .proxyUnresolvable : .dnsFailure }
        if isRefused(error) { return viaProxy ? .proxyRefused : .connectionRefused }
        if isConnectTimeout(error) { return viaProxy ? .proxyUnreachable : .connectTimeout }
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname { return .tlsHostnameMismatch }
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError { return .tlsHandshakeFailed }
        if isClosed(error) { return .connectionClosed }
        if error is IOError { return viaProxy ? .proxyUnreachable : .connectFailed }
        return .other
    }

    /// A handshake failure whose certificate side only a second look can tell (unknown issuer,
    /// expired, wrong host), or a tunnel refused with a status AsyncHTTPClient does not keep.
    static func wantsProbe(_ kind: TransportFailure.Kind) -> Bool {
        kind == .tlsHandshakeFailed || kind == .tlsHostnameMismatch || kind == .tunnelFailed
    }

    private static func isConnectTimeout(_ error: Error) -> Bool {
        if case ChannelError.connectTimeout = error { return true }
        return false
    }

    private static func isRefused(_ error: Error) -> Bool {
        (error as? IOError)?.errnoCode == ECONNREFUSED
    }

    private static func isClosed(_ error: Error) -> Bool {
        if let error = error as? HTTPClientError { return error == .remoteConnectionClosed }
        if let error = error as? ChannelError { return error == .eof || error == .ioOnClosedChannel || error == .alreadyClosed }
        if let error = error as? NIOSSLError { return error == .uncleanShutdown }
        if let code = (error as? IOError)?.errnoCode { return code == ECONNRESET || code == EPIPE }
        return false
    }

    // MARK: Messages

    /// The failure of `kind`, with its message.
    /// - Parameters:
    ///   - detail: the underlying error's text (redacted), for kinds the type does not explain.
    ///   - status: the proxy's answer to `CONNECT`, when known.
    func failure(
        _ kind: TransportFailure.Kind, delivery: NylasError.Delivery, detail: String? = nil,
        certificate: CertificateSummary? = nil, status: Int? = nil, now: Date = Date()
    ) -> TransportFailure {
        let target = endpoint.authority
        let via = proxy.map { " through proxy \($0.described)" } ?? ""
        let proxyName = proxy?.described ?? "the proxy"
        let proxySetting = proxy?.source ?? "the proxy setting"
        let regions = "--api-uri or --region (\(endpoint.baseURI))"
        let problem: String
        let fix: String
        switch kind {
        case .dnsFailure:
            problem = "\(endpoint.host) cannot be resolved (DNS)"
            fix = "check this server's DNS and \(regions); if it reaches the internet only through a proxy, set HTTPS_PROXY or pass --proxy"
        case .connectionRefused:
            problem = "connection to \(endpoint.baseURI) refused: nothing answers there"
            fix = "check \(regions), or the firewall in between"
        case .connectTimeout:
            problem = "could not connect to \(target) within \(Int(connectTimeout)) s"
            fix = "check the network and the firewall (outbound \(endpoint.port)); if this server must use a proxy, set HTTPS_PROXY or pass --proxy"
        case .connectFailed:
            problem = "could not connect to \(target)" + (detail.map { ": \($0)" } ?? "")
            fix = "check the network and \(regions)"
        case .proxyUnresolvable:
            problem = "the proxy's host \(proxy?.host ?? "") cannot be resolved (DNS) (proxy \(proxyName))"
            fix = "check the proxy's name in \(proxySetting), and this server's DNS"
        case .proxyRefused:
            problem = "connection to proxy \(proxyName) refused: nothing listens at \(proxy.map { "\($0.host):\($0.port)" } ?? "its port")"
            fix = "check the proxy's host and port in \(proxySetting), and that the proxy is running"
        case .proxyUnreachable:
            problem = "could not connect to proxy \(proxyName) within \(Int(connectTimeout)) s" + (detail.map { " (\($0))" } ?? "")
            fix = "check the proxy's host and port in \(proxySetting), and the network to it"
        case .proxyAuthenticationRequired:
            let credentials = proxy?.username.map { "the credentials of user \($0) were not accepted" }
                ?? "no credentials were given"
            problem = "proxy \(proxyName) answered 407 Proxy Authentication Required: \(credentials)"
            fix = "put the proxy's user and password in its URL, http://USER:PASSWORD@HOST:PORT, in \(proxySetting) (percent-encode @ : / in them)"
        case .tunnelFailed:
            let answer = status.map { "it answered \($0) \(HTTPResponseStatus(statusCode: $0).reasonPhrase)" }
                ?? detail ?? "it gave no usable answer to CONNECT"
            problem = "proxy \(proxyName) did not open a tunnel to \(target) (\(answer))"
            fix = "check that the proxy allows CONNECT to \(target) (its allow-list of hosts and ports), and \(regions)"
        case .tlsUnknownIssuer:
            problem = "TLS to \(target)\(via): the server's certificate is not trusted"
                + (certificate.map { " (\($0.subject), issued by \($0.issuer), a CA this machine does not trust)" } ?? "")
            fix = "if a TLS-inspecting proxy or a private gateway is in between, pass its CA certificate with --ca-file PEM (or set SSL_CERT_FILE)"
                + (tls.caFile.map { "; the CA file of \(tls.caFileSource ?? "--ca-file"), \($0), does not hold the issuer" } ?? "")
        case .tlsExpired:
            let when = certificate.map { " on \(CertificateSummary.day($0.notValidAfter))" } ?? ""
            problem = "TLS to \(target)\(via): the server's certificate expired\(when)"
                + (certificate.map { " (\($0.subject), issued by \($0.issuer))" } ?? "")
            fix = "check the system clock (it says \(CertificateSummary.day(now))); if it is right, the certificate of the server (or of the TLS-inspecting proxy) must be renewed"
        case .tlsNotYetValid:
            let when = certificate.map { " until \(CertificateSummary.day($0.notValidBefore))" } ?? ""
            problem = "TLS to \(target)\(via): the server's certificate is not valid\(when)"
            fix = "the system clock (\(CertificateSummary.day(now))) is probably behind: set it and keep it set (timedatectl set-ntp true)"
        case .tlsHostnameMismatch:
            let names = certificate.map { $0.names.isEmpty ? " (it names \($0.subject))" : " (it names \($0.names.joined(separator: ", ")))" } ?? ""
            problem = "TLS to \(target)\(via): the server's certificate is not for \(endpoint.host)\(names)"
            fix = "check \(regions): the regions are api.us.nylas.com and api.eu.nylas.com; a TLS-inspecting proxy must issue its certificates for the host asked for"
        case .tlsHandshakeFailed:
            problem = "TLS handshake with \(target)\(via) failed" + (detail.map { ": \($0)" } ?? "")
            fix = "check \(regions) (an https:// address of a TLS port), and any TLS-inspecting proxy in between (its CA goes in --ca-file)"
        case .poolTimeout:
            problem = "no connection to \(target) became free within \(Int(requestTimeout)) s: the request was not sent"
            fix = "lower --concurrency or raise --request-timeout"
        case .connectionClosed:
            problem = delivery == .notSent
                ? "the connection to \(target)\(via) closed before the request was sent"
                : "the connection to \(endpoint.host) closed before the answer arrived"
            fix = ""
        case .readTimeout:
            problem = "no answer within \(Int(requestTimeout)) s"
            fix = ""
        default:
            problem = "connection to \(endpoint.host)\(via) failed" + (detail.map { ": \($0)" } ?? "")
            fix = ""
        }
        return TransportFailure(
            kind: kind, delivery: delivery, target: target, proxy: proxy?.described, certificate: certificate,
            problem: problem, fix: fix)
    }
}
