import Foundation

/// The provider's side behind the sandbox's credentials: what a Workspace admin delegated, what
/// a Microsoft tenant's admin consented to, and who exists in the directory. Custom
/// authentication answers through it, so a rehearsal meets the refusals of a first real night.
///
/// The default is permissive (everything delegated and consented, every address a licensed
/// user), so that a test that is not about the provider needs no tenant.
public struct SandboxTenant: Sendable, Hashable {
    public var google = GoogleWorkspace()
    public var microsoft = MicrosoftTenant()

    public init(google: GoogleWorkspace = .init(), microsoft: MicrosoftTenant = .init()) {
        self.google = google
        self.microsoft = microsoft
    }

    /// A state of a key, a service account or a secret in the provider's console.
    public enum KeyState: String, Sendable, Hashable, CaseIterable {
        case active, deleted, disabled
    }

    /// A Google Workspace, as domain-wide delegation sees it.
    public struct GoogleWorkspace: Sendable, Hashable {
        public enum User: String, Sendable, Hashable, CaseIterable {
            case active, suspended, deleted, unknown
            /// An active user without the Gmail or Calendar service (no licence, or off for the unit).
            case noService = "no_service"
        }

        /// Scopes the Workspace admin delegated to the service account's client id: nil models a
        /// Workspace that delegated whatever is asked; empty, none at all.
        public var delegatedScopes: Set<String>?
        /// The service account's key in Google Cloud.
        public var key: KeyState = .active
        /// Key ids (`private_key_id`) Google accepts; nil: any active key. A rotation to a key
        /// Google does not know fails as a deleted one does.
        public var acceptedKeyIDs: Set<String>?
        /// The service account itself.
        public var serviceAccount: KeyState = .active
        /// The app is blocked in the Admin console's API controls (App access control).
        public var appBlocked = false
        /// Domains the Workspace owns; empty: any. Addresses of other domains are unknown users.
        public var domains: Set<String> = []
        /// Users whose state is not `others`, by lower-cased address.
        public var users: [String: User] = [:]
        /// The state of every address not in `users`.
        public var others: User = .active

        public init() {}

        /// The directory's answer for an address.
        public func user(_ email: String) -> User {
            SandboxTenant.lookUp(email, users: users, domains: domains, others: others, outside: .unknown)
        }
    }

    /// A Microsoft Entra tenant, as the client-credentials flow and Graph see it.
    public struct MicrosoftTenant: Sendable, Hashable {
        public enum User: String, Sendable, Hashable, CaseIterable {
            case licensed
            /// No Exchange Online mailbox (unlicensed, inactive or soft-deleted).
            case noMailbox = "no_mailbox"
            /// A mailbox kept in an on-premises Exchange.
            case onPremises = "on_premises"
            /// Account disabled (blocked).
            case disabled
            case unknown
        }

        public enum Secret: String, Sendable, Hashable, CaseIterable {
            case valid, expired
            /// The secret's ID given instead of its Value.
            case wrong
        }

        /// The Graph application permissions the sandbox takes the connector to need.
        public static let requiredPermissions: Set<String> = ["Mail.ReadWrite", "Calendars.ReadWrite"]

        /// When the tenant's admin consented, as seconds since 1970; nil: never.
        public var consentedAt: Double? = 0
        /// Seconds after consent during which Microsoft still refuses, as its caches catch up.
        public var propagationSeconds: Double = 300
        public var secret: Secret = .valid
        /// False models a credential whose tenant id or domain Microsoft does not know.
        public var tenantExists = true
        /// False models an app that is not registered (or never consented) in this tenant.
        public var appRegistered = true
        /// Application permissions granted; nil: all the connector needs.
        public var permissions: Set<String>?
        /// With an application access policy, the mailboxes it allows; nil: no policy.
        public var accessPolicyAllows: Set<String>?
        /// Domains the tenant owns; empty: any.
        public var domains: Set<String> = []
        public var users: [String: User] = [:]
        public var others: User = .licensed

        public init() {}

        public func user(_ email: String) -> User {
            SandboxTenant.lookUp(email, users: users, domains: domains, others: others, outside: .unknown)
        }
    }
}

extension SandboxTenant {
    /// A directory's answer: the user's own state, `outside` for a domain it does not own, else
    /// `others`.
    static func lookUp<State>(
        _ email: String, users: [String: State], domains: Set<String>, others: State, outside: State
    ) -> State {
        if let state = users[email] { return state }
        if !domains.isEmpty, let at = email.lastIndex(of: "@"), !domains.contains(String(email[email.index(after: at)...])) {
            return outside
        }
        return others
    }

    /// The tenant behind `run --sandbox`: a Workspace and a tenant that are set up as the README
    /// tells, owning the example export's domains, with the scopes an admin usually delegates.
    public static var rehearsal: SandboxTenant {
        var tenant = SandboxTenant()
        tenant.google.delegatedScopes = [
            "https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/calendar.readonly",
            "https://www.googleapis.com/auth/calendar.events", "https://www.googleapis.com/auth/gmail.readonly",
            "https://www.googleapis.com/auth/gmail.modify", "https://www.googleapis.com/auth/gmail.send",
            "https://www.googleapis.com/auth/gmail.compose", "https://mail.google.com/",
            "https://www.googleapis.com/auth/contacts", "https://www.googleapis.com/auth/contacts.readonly",
            "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/userinfo.profile",
            "openid",
        ]
        return tenant
    }
}
