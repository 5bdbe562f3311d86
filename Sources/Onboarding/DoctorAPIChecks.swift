import Foundation
import NylasAPI

/// The checks of `bulkgrant doctor` that call Nylas: the key is accepted (`GET /v3/connectors`),
/// the provider's connector exists, and the credential exists with the type bulk
/// authentication needs.
struct DoctorAPIChecks: Sendable {
    let client: NylasClient
    let endpoint: APIEndpoint
    let provider: Provider?
    let credentialID: String?

    struct Outcome {
        var checks: [DoctorCheck]
        /// Whether the API answered at all (even 401), so that its `Date` can be compared.
        var reachable: Bool
    }

    /// The ids and titles of the connector and credential lines, for skipping them.
    static func titles(provider: Provider?, credentialID: String? = nil) -> [(id: String, title: String)] {
        let credential: String
        switch (provider, credentialID) {
        case (let provider?, let id?): credential = "\(provider.rawValue) credential \(id)"
        case (let provider?, nil): credential = "\(provider.rawValue) credentials"
        default: credential = "credential"
        }
        return [
            ("connector", provider.map { "\($0.rawValue) connector" } ?? "connectors"),
            ("credential", credential),
        ]
    }

    func checks() async -> Outcome {
        let titles = Self.titles(provider: provider, credentialID: credentialID)
        let connectors: [Connector]
        do {
            connectors = try await call { try await Self.all(client.connectors()) }
        } catch {
            let error = error as? NylasError
            let skipped = titles.map {
                DoctorCheck.skip($0.id, $0.title, error?.isAuthenticationFailure == true
                    ? "the API key was not accepted" : "the API did not answer")
            }
            return Outcome(checks: [acceptedFailure(error)] + skipped, reachable: error?.status != nil)
        }
        var checks = [
            DoctorCheck.pass(
                "api_key.accepted", "API key accepted",
                "GET /v3/connectors at \(endpoint) answered with \(connectors.count) connector\(connectors.count == 1 ? "" : "s")")
        ]
        let connector = connectorCheck(connectors, title: titles[0].title)
        checks.append(connector)
        if connector.status == .fail, let provider {
            checks.append(.skip("credential", titles[1].title, "the application has no \(provider.rawValue) connector"))
        } else {
            checks.append(await credentialCheck(title: titles[1].title))
        }
        return Outcome(checks: checks, reachable: true)
    }

    // MARK: Key

    private func acceptedFailure(_ error: NylasError?) -> DoctorCheck {
        let title = "API key accepted"
        guard let error else {
            return .fail("api_key.accepted", title, "GET /v3/connectors failed", fix: "rerun doctor")
        }
        if error.isAuthenticationFailure {
            return .fail("api_key.accepted", title, "\(error) (at \(endpoint))", fix: Self.regionHint(endpoint))
        }
        let fix: String
        switch error.status {
        case nil:
            fix = "check the network (proxy, firewall, DNS) and --api-uri/--region (\(endpoint))"
        case 429?:
            fix = "the application is being rate-limited: wait a minute and rerun doctor"
        case let status? where status >= 500:
            fix = "Nylas is failing: rerun doctor later"
        default:
            fix = "check --api-uri/--region (\(endpoint)) and the key"
        }
        return .fail("api_key.accepted", title, error.description, fix: fix)
    }

    /// What a 401 most often means: the key belongs to the other region.
    static func regionHint(_ endpoint: APIEndpoint) -> String {
        let dashboard = "or check the key in the Nylas dashboard (API Keys)"
        if endpoint == .us {
            return "a key of the eu region answers 401 in us; try --region eu, \(dashboard)"
        }
        if endpoint == .eu {
            return "a key of the us region answers 401 in eu; try --region us, \(dashboard)"
        }
        return "a key of another region answers 401 at \(endpoint.host); if the key is a us or eu one, pass --region us or --region eu instead of --api-uri, \(dashboard)"
    }

    // MARK: Connector

    private func connectorCheck(_ connectors: [Connector], title: String) -> DoctorCheck {
        let names = connectors.map(\.provider)
        guard let provider else {
            if names.isEmpty {
                return .fail(
                    "connector", title, "the application has no connector",
                    fix: "create one: bulkgrant connectors create google|microsoft … (see bulkgrant connectors create --help)")
            }
            return .pass("connector", title, names.joined(separator: ", "))
        }
        guard let connector = connectors.first(where: { $0.provider == provider.rawValue }) else {
            let has = names.isEmpty ? "none" : names.joined(separator: ", ")
            let create: String
            switch provider {
            case .google:
                create = "bulkgrant connectors create google --client-id ID.apps.googleusercontent.com --client-secret-file gcp-secret.txt --scope https://www.googleapis.com/auth/calendar"
            case .microsoft:
                create = "NYLAS_CONNECTOR_CLIENT_SECRET=… bulkgrant connectors create microsoft --client-id APP_ID --tenant common"
            }
            return .fail(
                "connector", title, "the application has no \(provider.rawValue) connector (it has: \(has))",
                fix: "create it: \(create)")
        }
        let scopes = connector.scope ?? []
        return .pass("connector", title, "present (default scopes: \(scopes.isEmpty ? "none" : scopes.joined(separator: " ")))")
    }

    // MARK: Credential

    private func credentialCheck(title: String) async -> DoctorCheck {
        guard let provider else {
            return .skip("credential", title, "pass --provider and --credential-id to check a credential")
        }
        let needed = provider.bulkCredentialType
        let create: String
        switch provider {
        case .google:
            create = "bulkgrant credentials create google --name NAME --key-file sa.json"
        case .microsoft:
            create = "bulkgrant credentials create microsoft --name NAME --client-id APP_ID --client-secret-file F --tenant common"
        }
        guard let credentialID else {
            do {
                let all = try await call { try await Self.all(client.credentials(provider: provider)) }
                let usable = all.filter { $0.credentialType == needed }
                guard !usable.isEmpty else {
                    return .fail(
                        "credential", title, "no \(needed) credential for \(provider.rawValue) (\(all.count) of other types)",
                        fix: "create one: \(create)")
                }
                let shown = usable.prefix(5).map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
                return .pass(
                    "credential", title,
                    "\(usable.count) \(needed) credential\(usable.count == 1 ? "" : "s"): \(shown)\(usable.count > 5 ? ", …" : ""); pass --credential-id to check the one you run with")
            } catch {
                return .fail("credential", title, "\(error)", fix: "rerun doctor")
            }
        }
        do {
            let credential = try await call { try await client.getCredential(provider: provider, id: credentialID) }
            guard credential.credentialType == needed else {
                return .fail(
                    "credential", title,
                    "\"\(credential.name)\" is of type \(credential.credentialType?.rawValue ?? "unknown"); \(provider.rawValue) bulk authentication needs \(needed)",
                    fix: "create a \(needed) credential and pass its id: \(create)")
            }
            return .pass("credential", title, "\"\(credential.name)\", \(needed)")
        } catch let error as NylasError where error.status == 404 {
            if case .otherProvider(let other, _)? = try? await client.locateCredential(id: credentialID, provider: provider) {
                return .fail(
                    "credential", title, "belongs to \(other.rawValue), not \(provider.rawValue)",
                    fix: "pass --provider \(other.rawValue), or the id of a \(provider.rawValue) credential (bulkgrant credentials list --provider \(provider.rawValue))")
            }
            return .fail(
                "credential", title, "not found for \(provider.rawValue) (\(error))",
                fix: "list them with bulkgrant credentials list --provider \(provider.rawValue), or create one: \(create)")
        } catch {
            return .fail("credential", title, "\(error)", fix: "rerun doctor")
        }
    }

    /// One call, tried again (up to three times) on a throttle, a 5xx or a cut connection.
    private func call<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as NylasError where attempt < 3 && Self.isTransient(error) {
                let wait = min(error.retryAfter ?? 0.5 * Double(attempt), 5)
                try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                attempt += 1
            }
        }
    }

    private static func all<T>(_ pager: OffsetPager<T>) async throws -> [T] {
        var items: [T] = []
        for try await item in pager { items.append(item) }
        return items
    }

    private static func isTransient(_ error: NylasError) -> Bool {
        // A proxy or TLS failure repeats until a person changes the settings.
        if error.isAuthenticationFailure || error.transport?.needsOperator == true { return false }
        if let status = error.status, error.code == .api { return status == 429 || status >= 500 }
        return error.code == .transport || error.code == .unreadableBody
    }
}
