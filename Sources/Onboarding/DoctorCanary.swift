import Foundation
import NylasAPI

/// `doctor --canary EMAIL`: one real custom authentication of one user, proving delegation or
/// consent end to end before the night. Harmless: Nylas re-authenticates an existing grant
/// instead of creating a second one. A refusal is named through the failure catalogue.
struct DoctorCanary: Sendable {
    let client: NylasClient
    let provider: Provider
    let credentialID: String
    let email: String
    let scopes: [String]
    var context: DiagnosisContext

    static let id = "canary"

    func check() async -> DoctorCheck {
        let title = "custom authentication of \(email)"
        do {
            let answer = try await client.customAuthentication(
                .bulk(provider: provider, credentialID: credentialID, email: email, scopes: scopes))
            return .pass(
                Self.id, title,
                "granted (grant \(answer.data.id), \(answer.data.grantStatus ?? "valid")): \(provider == .google ? "delegation" : "consent") works end to end")
        } catch let error as NylasError {
            let diagnosis = FailureCatalogue.diagnose(error, call: .create, context: context)
            guard diagnosis.recognised else {
                return .fail(Self.id, title, error.description, fix: "rerun doctor; if it persists, look the request id up with Nylas support")
            }
            let reach = diagnosis.stopsRun ? "every user would fail" : "this user only"
            return .fail(Self.id, title, "\(diagnosis.cause) (\(reach)): \(diagnosis.meaning)", fix: diagnosis.fix)
        } catch {
            return .fail(Self.id, title, "\(error)", fix: "rerun doctor")
        }
    }
}
