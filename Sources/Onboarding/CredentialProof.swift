import Foundation
import GrantLedger
import NylasAPI

/// One real custom authentication of one user with a credential: what proves delegation or
/// consent end to end (`doctor --canary`) and that a rotated key or secret works
/// (`credentials rotate`). For a user who already has a grant it is harmless: Nylas
/// re-authenticates that grant instead of making a second one. A refusal is named through the
/// failure catalogue.
///
/// Sent once, never retried: a retry after a lost answer would be a second authentication.
public struct CredentialProof: Sendable {
    public let client: NylasClient
    public let provider: Provider
    public let credentialID: String
    public let email: String
    /// Google: the scopes to authenticate with (the grant's own, so that they do not change).
    public let scopes: [String]
    public var context: DiagnosisContext

    public init(
        client: NylasClient, provider: Provider, credentialID: String, email: String, scopes: [String],
        context: DiagnosisContext
    ) {
        self.client = client
        self.provider = provider
        self.credentialID = credentialID
        self.email = email
        self.scopes = scopes
        self.context = context
    }

    /// How the authentication went.
    public enum Outcome: Sendable {
        /// Nylas answered with the user's grant (re-authenticated, or made if the user had none).
        case granted(Grant)
        /// Nylas or the provider refused, with the catalogue's reading of the answer.
        case refused(NylasError, Diagnosis)
        /// No usable answer (the connection failed, an unreadable body): nothing is proven.
        case failed(String)

        /// One line: the grant, or the cause and what it reaches, or what went wrong.
        public var detail: String {
            switch self {
            case .granted(let grant):
                return "granted (grant \(grant.id), \(grant.grantStatus ?? "valid"))"
            case .refused(let error, let diagnosis):
                guard diagnosis.recognised else { return error.description }
                let reach = diagnosis.stopsRun ? "every user would fail" : "this user only"
                return "\(diagnosis.cause) (\(reach)): \(diagnosis.meaning)"
            case .failed(let text):
                return text
            }
        }

        /// The catalogue's fix of a recognised refusal.
        public var fix: String? {
            if case .refused(_, let diagnosis) = self, diagnosis.recognised { return diagnosis.fix }
            return nil
        }

        /// The refusal's diagnosis, when Nylas answered with one.
        public var diagnosis: Diagnosis? {
            if case .refused(_, let diagnosis) = self { return diagnosis }
            return nil
        }
    }

    /// Sends the custom authentication, once.
    public func run() async -> Outcome {
        do {
            let answer = try await client.customAuthentication(
                .bulk(provider: provider, credentialID: credentialID, email: email, scopes: scopes))
            return .granted(answer.data)
        } catch let error as NylasError {
            return .refused(error, FailureCatalogue.diagnose(error, call: .create, context: context))
        } catch {
            return .failed("\(error)")
        }
    }

    /// The values a fix names for credential `credentialID`, from what the ledger recorded of it.
    public static func context(
        provider: Provider, credentialID: String, scopes: [String], facts: CredentialFacts?
    ) -> DiagnosisContext {
        DiagnosisContext(
            provider: provider, credentialID: credentialID, scopes: scopes,
            serviceAccountClientID: provider == .google ? facts?.clientID : nil, serviceAccountEmail: facts?.clientEmail,
            azureClientID: provider == .microsoft ? facts?.clientID : nil)
    }
}
