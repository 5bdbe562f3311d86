import Foundation
import NylasAPI

/// `doctor`'s key-age line: when each credential was last updated (`updated_at`, which a
/// rotation moves on), against `--max-key-age`. Google recommends rotating service-account
/// keys at least every 90 days; Azure client secrets expire after at most 24 months.
struct DoctorKeyAge: Sendable {
    let client: NylasClient
    let provider: Provider
    /// The credential the run uses; nil: every credential of the provider's bulk type.
    let credentialID: String?
    /// The oldest a key may be, in days.
    let maxDays: Double
    let now: Date

    static let id = "credential.age"

    /// The line, once the credential check passed; nil when there is nothing to age.
    static func check(
        after earlier: [DoctorCheck], client: NylasClient, provider: Provider?, credentialID: String?, maxDays: Double,
        now: Date
    ) async -> DoctorCheck? {
        guard let provider, earlier.first(where: { $0.id == "credential" })?.status == .pass else { return nil }
        return await DoctorKeyAge(client: client, provider: provider, credentialID: credentialID, maxDays: maxDays, now: now)
            .check()
    }

    func check() async -> DoctorCheck {
        let title = credentialID.map { "\(provider.rawValue) credential \($0) key age" } ?? "\(provider.rawValue) credential key ages"
        let credentials: [Credential]
        do {
            if let credentialID {
                credentials = [try await client.getCredential(provider: provider, id: credentialID)]
            } else {
                var all: [Credential] = []
                for try await credential in client.credentials(provider: provider) {
                    if credential.credentialType == provider.bulkCredentialType { all.append(credential) }
                }
                credentials = all
            }
        } catch {
            return .fail(Self.id, title, "\(error)", fix: "rerun doctor")
        }
        let dated = credentials.compactMap { credential in (credential.updatedAt ?? credential.createdAt).map { (credential, Double($0)) } }
        guard let oldest = dated.min(by: { $0.1 < $1.1 }) else {
            return .skip(Self.id, title, "Nylas gave no updated_at")
        }
        let limit = "--max-key-age \(Self.days(maxDays))"
        let old = dated.filter { now.timeIntervalSince1970 - $0.1 > maxDays * 86_400 }.sorted { $0.1 < $1.1 }
        guard !old.isEmpty else {
            let subject = credentialID == nil ? "\(dated.count) credential\(dated.count == 1 ? "" : "s"); the oldest, \(oldest.0.id), " : ""
            return .pass(Self.id, title, "\(subject)last updated \(describe(oldest.1)), within \(limit)")
        }
        let detail =
            credentialID == nil
            ? old.map { "\($0.0.id) last updated \(describe($0.1))" }.joined(separator: "; ") + ": older than \(limit)"
            : "last updated \(describe(old[0].1)), older than \(limit)"
        return .fail(Self.id, title, detail, fix: fix(old[0].0.id))
    }

    /// `2025-01-31T03:56:00Z (91 days ago)`.
    func describe(_ seconds: Double) -> String {
        let days = Int((now.timeIntervalSince1970 - seconds) / 86_400)
        let ago = days < 1 ? "today" : days == 1 ? "1 day ago" : "\(days) days ago"
        return "\(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))) (\(ago))"
    }

    private func fix(_ id: String) -> String {
        let context = DiagnosisContext(provider: provider, credentialID: id)
        switch provider {
        case .google:
            return "create a new JSON key for the service account (Google Cloud console → IAM & Admin → Service accounts → Keys → Add key → JSON), put it in the credential with `\(context.rotateGoogleCommand)` (grants keep working), then delete the old key"
        case .microsoft:
            return "create a new client secret (Entra ID → App registrations → your app → Certificates & secrets), put its Value in the credential with `\(context.rotateMicrosoftCommand)` (grants keep working), then delete the old secret"
        }
    }

    static func days(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) days" : "\(value) days"
    }
}
