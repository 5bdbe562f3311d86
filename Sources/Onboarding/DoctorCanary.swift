import Foundation
import NylasAPI

/// `doctor --canary EMAIL`: one real custom authentication of one user (a `CredentialProof`),
/// proving delegation or consent end to end before the night, as a line of the report.
struct DoctorCanary: Sendable {
    let proof: CredentialProof

    static let id = "canary"

    func check() async -> DoctorCheck {
        let title = "custom authentication of \(proof.email)"
        let outcome = await proof.run()
        switch outcome {
        case .granted:
            return .pass(
                Self.id, title,
                "\(outcome.detail): \(proof.provider == .google ? "delegation" : "consent") works end to end")
        case .refused:
            return .fail(
                Self.id, title, outcome.detail,
                fix: outcome.fix ?? "rerun doctor; if it persists, look the request id up with Nylas support")
        case .failed:
            return .fail(Self.id, title, outcome.detail, fix: "rerun doctor")
        }
    }
}
