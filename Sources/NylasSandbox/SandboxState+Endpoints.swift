import Foundation
import NylasAPI

/// The Nylas endpoints, with Nylas's semantics: validation, re-authentication, offset paging.
extension SandboxState {
    // MARK: Connectors

    func listConnectors(limit: Int, offset: Int) -> SandboxAnswer {
        let all = Provider.allCases.compactMap { connectors[$0] }
        return .ok(ListResponse(requestId: SandboxAnswer.newRequestID(), data: page(all, limit, offset), limit: limit, offset: offset))
    }

    func getConnector(provider: String) -> SandboxAnswer {
        guard let provider = Provider(rawValue: provider), let connector = connectors[provider] else {
            return .error(404, type: "api.not_found_error", "connector not found for provider \(provider)")
        }
        return .ok(ItemResponse(requestId: SandboxAnswer.newRequestID(), data: connector))
    }

    // MARK: Credentials

    func createCredential(provider name: String, body: Data) -> SandboxAnswer {
        guard let provider = Provider(rawValue: name), connectors[provider] != nil else {
            return .error(404, type: "api.not_found_error", "no connector for provider \(name): create one first")
        }
        guard let request = try? JSONDecoder().decode(CreateCredentialRequest.self, from: body) else {
            return .error(
                400, type: "api.invalid_request_payload",
                "body must be {name, credential_type, credential_data} with string values in credential_data")
        }
        guard !request.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            return .error(400, type: "api.invalid_request_error", "name must not be empty")
        }
        let required: [String]
        switch (request.credentialType, provider) {
        case (.serviceAccount, .google): required = ["private_key_id", "private_key", "client_email"]
        // The spec requires only `tenant`: without client_id/client_secret Nylas uses the
        // Microsoft connector's.
        // Issue #2 asks for all three (Nylas itself would fall back to the connector's client).
        case (.adminConsent, .microsoft): required = ["client_id", "client_secret", "tenant"]
        case (.connector, _): required = ["client_id", "client_secret"]
        default:
            return .error(
                400, type: "api.invalid_request_error",
                "credential_type \(request.credentialType) is not valid for provider \(provider.rawValue)")
        }
        let missing = required.filter { (request.credentialData[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            return .error(
                400, type: "api.invalid_request_error",
                "credential_data is missing \(missing.joined(separator: ", "))")
        }
        if let existing = credentials[provider]?.first(where: { $0.credential.name == request.name }) {
            // Nylas re-uses a credential with identical parameters; a clash of names is an error.
            guard existing.credential.credentialType == request.credentialType, existing.data == request.credentialData
            else {
                return .error(
                    400, type: "api.invalid_request_error", "a credential named \(request.name) already exists")
            }
            return .ok(201, ItemResponse(requestId: SandboxAnswer.newRequestID(), data: existing.credential))
        }
        let now = Int(Date().timeIntervalSince1970)
        let credential = Credential(
            id: UUID().uuidString.lowercased(), name: request.name, credentialType: request.credentialType,
            createdAt: now, updatedAt: now)
        credentials[provider, default: []].append(StoredCredential(credential: credential, data: request.credentialData))
        return .ok(201, ItemResponse(requestId: SandboxAnswer.newRequestID(), data: credential))
    }

    func listCredentials(provider name: String, limit: Int, offset: Int, ascending: Bool) -> SandboxAnswer {
        guard let provider = Provider(rawValue: name) else {
            return .error(404, type: "api.not_found_error", "no connector for provider \(name)")
        }
        var all = (credentials[provider] ?? []).map(\.credential)
        if !ascending { all.reverse() }
        return .ok(ListResponse(requestId: SandboxAnswer.newRequestID(), data: page(all, limit, offset), limit: limit, offset: offset))
    }

    func getCredential(provider name: String, id: String) -> SandboxAnswer {
        guard let provider = Provider(rawValue: name),
            let stored = credentials[provider]?.first(where: { $0.credential.id == id })
        else {
            return .error(404, type: "api.not_found_error", "credential \(id) not found")
        }
        return .ok(ItemResponse(requestId: SandboxAnswer.newRequestID(), data: stored.credential))
    }

    func deleteCredential(provider name: String, id: String) -> SandboxAnswer {
        guard let provider = Provider(rawValue: name),
            credentials[provider]?.contains(where: { $0.credential.id == id }) == true
        else {
            return .error(404, type: "api.not_found_error", "credential \(id) not found")
        }
        credentials[provider]?.removeAll { $0.credential.id == id }
        return .ok(DeleteResponse(requestId: SandboxAnswer.newRequestID()))
    }

    // MARK: Custom authentication

    func customAuthentication(body: Data) -> SandboxAnswer {
        guard let request = try? JSONDecoder().decode(CustomAuthRequest.self, from: body) else {
            return .error(
                400, type: "api.invalid_request_payload",
                "body must be {provider, settings: {credential_id, email_address, scopes?}}")
        }
        guard let provider = Provider(rawValue: request.provider) else {
            return .error(
                400, type: "api.invalid_request_error",
                "provider \(request.provider) does not support bulk authentication here")
        }
        let email = request.settings.emailAddress.trimmingCharacters(in: .whitespaces).lowercased()
        guard email.contains("@") else {
            return .error(400, type: "api.invalid_request_error", "settings.email_address is not an email address")
        }
        guard let stored = credentials[provider]?.first(where: { $0.credential.id == request.settings.credentialId })
        else {
            return .error(
                404, type: "api.not_found_error",
                "credential \(request.settings.credentialId) not found for provider \(provider.rawValue)")
        }
        guard stored.credential.credentialType == provider.bulkCredentialType else {
            return .error(
                400, type: "api.invalid_request_error",
                "credential \(stored.credential.id) is of type \(stored.credential.credentialType?.rawValue ?? "unknown"); \(provider.rawValue) bulk authentication needs \(provider.bulkCredentialType)")
        }
        let scopes = request.settings.scopes ?? []
        if provider == .google && scopes.isEmpty {
            return .error(
                400, type: "api.invalid_request_error", "settings.scopes is required for Google service account grants")
        }
        var tenant = configuration.tenant
        let domain = email.split(separator: "@").last.map(String.init) ?? ""
        if configuration.rejectedDomains.contains(domain) {
            // --reject-domain: a domain the Workspace or tenant does not hold.
            tenant.google.users[email] = .unknown
            tenant.microsoft.users[email] = .unknown
        }
        if let refusal = tenant.refusal(
            provider: provider, email: email, scopes: scopes, credentialData: stored.data,
            now: Date().timeIntervalSince1970)
        {
            refusals[refusal.code, default: 0] += 1
            return refusal.answer(configuration.envelope)
        }
        let key = Self.key(provider.rawValue, email)
        if let id = grantByKey[key], var grant = grants[id] {
            grant.grantStatus = "valid"
            grant.updatedAt = Int(Date().timeIntervalSince1970)
            if provider == .google { grant.scope = scopes }
            grants[id] = grant
            reauths[email, default: 0] += 1
            configuration.observer?(.grantReauthenticated(email: email))
            return .ok(200, ItemResponse(requestId: SandboxAnswer.newRequestID(), data: grant))
        }
        var grant = makeGrant(
            provider: provider.rawValue, email: email, credentialID: stored.credential.id,
            scopes: provider == .google ? scopes : [])
        if configuration.invalidShare > 0 && generatorUnit() < configuration.invalidShare {
            grant.grantStatus = "invalid"
        }
        insert(grant)
        creations[email, default: 0] += 1
        totalCreations += 1
        configuration.observer?(.grantCreated(email: email, total: totalCreations))
        return .ok(201, ItemResponse(requestId: SandboxAnswer.newRequestID(), data: grant))
    }

    // MARK: Grants

    func listGrants(_ query: [String: String]) -> SandboxAnswer {
        let limit = min(max(Int(query["limit"] ?? "") ?? 10, 1), 200)
        let offset = max(Int(query["offset"] ?? "") ?? 0, 0)
        let email = query["email"]?.lowercased()
        let since = query["since"].flatMap { Int($0) }
        let before = query["before"].flatMap { Int($0) }
        var matching = grantOrder.compactMap { self.grants[$0] }.filter { grant in
            if let email, grant.email?.lowercased() != email { return false }
            if let provider = query["provider"], grant.provider != provider { return false }
            if let status = query["grant_status"], grant.grantStatus != status { return false }
            if let since, (grant.createdAt ?? 0) < since { return false }
            if let before, (grant.createdAt ?? 0) > before { return false }
            return true
        }
        if query["order_by"] != "asc" { matching.reverse() }
        return .ok(ListResponse(requestId: SandboxAnswer.newRequestID(), data: page(matching, limit, offset), limit: limit, offset: offset))
    }

    func getGrant(id: String) -> SandboxAnswer {
        guard let grant = grants[id] else {
            return .error(404, type: "grant.not_found", "grant \(id) not found")
        }
        return .ok(ItemResponse(requestId: SandboxAnswer.newRequestID(), data: grant))
    }

    func deleteGrant(id: String) -> SandboxAnswer {
        guard let grant = grants.removeValue(forKey: id) else {
            return .error(404, type: "grant.not_found", "grant \(id) not found")
        }
        grantOrder.removeAll { $0 == id }
        grantByKey.removeValue(forKey: Self.key(grant.provider, grant.email ?? ""))
        deletions[grant.email ?? "", default: 0] += 1
        return .ok(DeleteResponse(requestId: SandboxAnswer.newRequestID()))
    }

    private func page<T>(_ items: [T], _ limit: Int, _ offset: Int) -> [T] {
        guard offset < items.count else { return [] }
        return Array(items[offset..<min(items.count, offset + limit)])
    }
}
