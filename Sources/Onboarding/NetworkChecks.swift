import Foundation
import NylasAPI

/// The lines of `bulkgrant doctor` about the way to the API: the connection (direct, or the
/// proxy and its `CONNECT` tunnel) and, for `https://`, the TLS handshake with the certificate's
/// subject, issuer and expiry. From one `ConnectionProbe`.
struct NetworkChecks {
    let reason: String
    let report: ConnectionReport

    /// Whether the API host can be talked to at all: the later checks are skipped otherwise.
    var reachable: Bool { report.failure == nil }

    var skipReason: String {
        report.failure?.kind.isTLS == true
            ? "the TLS handshake failed (see the TLS line)" : "the API host could not be reached (see the connection line)"
    }

    var checks: [DoctorCheck] {
        var lines = [connection]
        if report.usesTLS { lines.append(tls) }
        return lines
    }

    private var connection: DoctorCheck {
        let title = "connection to \(report.target)"
        guard report.connected else {
            let failure = report.failure
            return .fail(
                "network.connection", title, failure?.problem ?? "failed",
                fix: failure?.fix.isEmpty == false ? failure!.fix : "check the network, --api-uri/--region and the proxy settings")
        }
        guard let proxy = report.proxy else { return .pass("network.connection", title, "direct (proxy \(reason))") }
        let status = report.tunnelStatus.map { " (HTTP \($0))" } ?? ""
        return .pass("network.connection", title, "through proxy \(proxy): tunnel opened\(status)")
    }

    private var tls: DoctorCheck {
        let title = "TLS to \(report.target)"
        guard report.connected else { return .skip("network.tls", title, "no connection") }
        guard report.handshakeCompleted else {
            let failure = report.failure
            return .fail(
                "network.tls", title, failure?.problem ?? "the handshake failed",
                fix: failure?.fix.isEmpty == false ? failure!.fix : "check the proxy and --ca-file")
        }
        guard let certificate = report.certificate else {
            return .pass("network.tls", title, "handshake done, trusting \(report.trust)")
        }
        let days = Int(certificate.notValidAfter.timeIntervalSinceNow / 86400)
        let expiry = "valid until \(CertificateSummary.day(certificate.notValidAfter)) (\(days) day\(days == 1 ? "" : "s") left)"
        return .pass(
            "network.tls", title,
            "handshake done: certificate \(certificate.subject), issued by \(certificate.issuer), \(expiry); trusting \(report.trust)")
    }
}
