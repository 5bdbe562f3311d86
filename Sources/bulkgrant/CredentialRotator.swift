import ArgumentParser
import Foundation
import GrantLedger
import Logging
import NylasAPI
import Onboarding

/// The new key or secret a rotation puts in a credential, as `credentials rotate google` or
/// `microsoft` read and checked it.
struct RotationKey {
    /// `credential_data` whole: Nylas replaces the old data with it.
    var credentialData: [String: String]
    /// Google: `private_key_id`; Microsoft: the secret's fingerprint.
    var keyID: String?
    /// The file it was read from (absolute), nil for the environment.
    var keySource: String?
    var clientID: String?
    var clientEmail: String?
    var tenant: String?
    /// What must never appear in an error, even if a server echoed it.
    var secrets: [String]
    /// Further words the rollback command must repeat (`--client-id`, `--tenant`).
    var rollbackWords: [String] = []
}

/// `credentials rotate`: puts a new key or secret in an existing credential with Update
/// Credential (its grants keep the credential id, so none is made again), then proves it with
/// one custom authentication of a user already granted with it.
///
/// Safe to interrupt and run again: the PATCH replaces the data whole, so sending it twice
/// changes nothing more, and the ledger keeps the key replaced even when the rotation is
/// recorded twice. A proof that fails exits 3 with the command that rolls the rotation back.
struct CredentialRotator {
    let provider: Provider
    let options: RotationOptions

    /// How many users granted with the credential are tried when one fails for a cause of its
    /// own (suspended since, unlicensed): that says nothing of the key.
    static let proofCandidates = 3

    private var credentialID: String { options.credentialID.trimmingCharacters(in: .whitespaces) }

    /// Runs the rotation; `makeKey` reads the new key given what the ledger recorded of the
    /// credential, and refuses (throwing an exit code) a key that must not be sent.
    func run(_ makeKey: (CredentialFacts?) throws -> RotationKey) async throws {
        let configuration = try AdminCall.configuration(options.api)
        let ledger = try openLedger(identity: configuration.endpoint.identity)
        defer { try? ledger?.close() }
        let facts = try await ledger?.credentialFacts(id: credentialID)
        let key = try makeKey(facts)
        let candidates = try await proofUsers(ledger)

        var patchSent = false
        var patched: Credential?
        let result: (credential: Credential, recorded: CredentialFacts?, proof: Proof)
        do {
            result = try await AdminCall.run(configuration, redacting: key.secrets) { client in
                let current = try await Retrying.idempotent { try await client.getCredential(provider: provider, id: credentialID) }
                guard current.credentialType == provider.bulkCredentialType else {
                    Console.error(
                        "credential \(CredentialText.describe(current)) is not a \(provider.bulkCredentialType) credential: only bulk-authentication credentials are rotated here; nothing was changed")
                    throw Exit.incomplete
                }
                let firstScopes = try await scopes(for: candidates[0], client: client)
                // Idempotent: the same body again leaves the same credential.
                patchSent = true
                let credential = try await Retrying.idempotent {
                    try await client.updateCredential(
                        provider: provider, id: credentialID, UpdateCredentialRequest(credentialData: key.credentialData))
                }
                patched = credential
                let recorded = await record(key, name: credential.name, in: ledger)
                let proof = await prove(
                    candidates, firstScopes: firstScopes, client: client, context: CredentialProof.context(
                        provider: provider, credentialID: credentialID, scopes: firstScopes, facts: recorded ?? facts))
                return (credential, recorded, proof)
            }
        } catch let exit as ExitCode where patchSent && patched == nil && exit == Exit.stopped {
            Console.error(
                "the credential may or may not hold the new key yet (no answer to the update): run the same command again, which is safe")
            throw exit
        }
        try report(result.credential, key: key, recorded: result.recorded ?? facts, proof: result.proof)
    }

    // MARK: Ledger

    /// The ledger, locked for the rotation, or nil when there is no file at the path (the
    /// rotation is then not recorded, which is said).
    private func openLedger(identity: String) throws -> Ledger? {
        guard FileManager.default.fileExists(atPath: options.ledger) else {
            Console.error(
                "warning: no ledger at \(options.ledger): the rotation will not be recorded, and bulkgrant knows no key or user of this credential (pass the nightly run's --ledger)")
            return nil
        }
        do {
            return try Ledger.open(path: options.ledger, apiIdentity: identity, logger: Console.bootstrapLogging(level: .error))
        } catch let error as LedgerError {
            Console.error("\(error)")
            throw error.code == .locked ? Exit.stopped : Exit.input
        }
    }

    /// Notes the new key, keeping the replaced one; a ledger that cannot be written is reported.
    private func record(_ key: RotationKey, name: String, in ledger: Ledger?) async -> CredentialFacts? {
        guard let ledger else { return nil }
        do {
            return try await ledger.recordRotation(
                CredentialFacts(
                    id: credentialID, provider: provider.rawValue, name: name, clientID: key.clientID,
                    clientEmail: key.clientEmail, keyID: key.keyID, tenant: key.tenant, keySource: key.keySource))
        } catch {
            Console.error("warning: could not record the rotation in ledger \(options.ledger) (\(error))")
            return nil
        }
    }

    // MARK: Proof

    /// A user who proves the key, and the grant the ledger knows them by.
    struct ProofUser {
        var email: String
        var grantID: String?
    }

    /// `--canary`, else users granted with the credential; none is a usage error, before any call.
    private func proofUsers(_ ledger: Ledger?) async throws -> [ProofUser] {
        if let canary = options.canary { return [ProofUser(email: canary.trimmingCharacters(in: .whitespaces).lowercased())] }
        let granted =
            (try? await ledger?.grantedUsers(
                credentialID: credentialID, provider: provider.rawValue, limit: Self.proofCandidates)) ?? []
        guard !granted.isEmpty else {
            Console.error(
                "no user in ledger \(options.ledger) is granted with credential \(credentialID), so none can prove the new key without a grant being made: pass --canary EMAIL (a user of the \(provider == .google ? "Workspace" : "tenant")), or the nightly run's --ledger; nothing was changed")
            throw Exit.input
        }
        return granted.map { ProofUser(email: $0.email, grantID: $0.grantID) }
    }

    /// Google: `--scope`, else the user's grant's own scopes, so that the proof leaves the grant
    /// as it was. Microsoft takes no scopes.
    private func scopes(for user: ProofUser, client: NylasClient) async throws -> [String] {
        guard provider == .google else { return [] }
        if !options.scopes.isEmpty { return options.scopes }
        if let grantID = user.grantID,
            let scope = try? await Retrying.idempotent({ try await client.getGrant(id: grantID) }).scope, !scope.isEmpty
        {
            return scope
        }
        Console.error(
            "the grant of \(user.email) does not say its scopes: pass the nightly run's --scope values to prove the new key with; nothing was changed")
        throw Exit.input
    }

    /// What the proof found, and who proved it.
    struct Proof {
        var email: String
        var outcome: CredentialProof.Outcome
        /// The grant the ledger knew, when the answer named another one.
        var ledgerGrantID: String?

        var passed: Bool {
            if case .granted = outcome { return true }
            return false
        }
    }

    /// One custom authentication; another granted user only when the first was refused for a
    /// cause of the user's own, which says nothing of the key.
    private func prove(
        _ users: [ProofUser], firstScopes: [String], client: NylasClient, context: DiagnosisContext
    ) async -> Proof {
        var last: Proof?
        for (index, user) in users.enumerated() {
            let scopes = index == 0 ? firstScopes : ((try? await self.scopes(for: user, client: client)) ?? firstScopes)
            let outcome = await CredentialProof(
                client: client, provider: provider, credentialID: credentialID, email: user.email, scopes: scopes,
                context: context
            ).run()
            var proof = Proof(email: user.email, outcome: outcome)
            if case .granted(let grant) = outcome, let known = user.grantID, known != grant.id { proof.ledgerGrantID = known }
            last = proof
            guard options.canary == nil, let diagnosis = outcome.diagnosis, diagnosis.reach == .user else { return proof }
        }
        return last ?? Proof(email: "", outcome: .failed("no user to prove the key with"))
    }

    // MARK: Report

    private func report(_ credential: Credential, key: RotationKey, recorded: CredentialFacts?, proof: Proof) throws {
        let previous = previousKey(recorded, newKeyID: key.keyID)
        let rollback = proof.passed ? nil : rollbackCommand(previous: previous, key: key)
        if options.json {
            Stdout.write(
                JSONLine.encode(
                    RotationJSON(
                        credential: credential, keyID: provider == .google ? key.keyID : nil, previousKey: previous.map {
                            .init(keyID: provider == .google ? $0.keyID : nil, recordedAt: $0.recordedAt.map { GrantText.isoTime(Int($0)) }, source: $0.source)
                        }, proof: .init(proof), rollback: rollback?.command)) + "\n")
        } else {
            Stdout.write(text(credential, key: key, previous: previous, proof: proof))
        }
        guard let rollback else { return }
        Console.error(
            "\(failureSummary(proof)) roll it back with:\n  \(rollback.command)\(rollback.note.map { "\n  (\($0))" } ?? "")")
        throw Exit.stopped
    }

    /// Why the rotation is not proven, and what that means for the runs, leading to the rollback.
    private func failureSummary(_ proof: Proof) -> String {
        switch proof.outcome {
        case .refused(_, let diagnosis) where diagnosis.reach == .user:
            return "the proof was inconclusive: \(proof.email) was refused for a cause of the user's own, which says nothing of the new \(keyWord): run the same command with --canary EMAIL of an active user (safe), or"
        case .refused(_, let diagnosis) where diagnosis.stopsRun:
            return "the proof failed: the credential now holds the new \(keyWord), and every run with it would fail like this;"
        default:
            return "the proof could not be made (\(proof.outcome.detail)): run the same command again (safe), or"
        }
    }

    private var keyWord: String { provider == .google ? "key" : "secret" }

    private func text(_ credential: Credential, key: RotationKey, previous: PreviousKey?, proof: Proof) -> String {
        var lines: [String] = []
        let what =
            provider == .google
            ? "private_key_id \(key.keyID ?? "?")\(key.clientEmail.map { " of \($0)" } ?? "")"
            : "a new client secret\(key.clientID.map { " for app \($0)" } ?? "")"
        lines.append(
            "rotated \(provider.rawValue) credential \(credential.id) \"\(credential.name)\": it now holds \(what) (updated_at \(GrantText.isoTime(credential.updatedAt)))")
        if proof.passed {
            lines.append(
                "✓ proof: custom authentication of \(proof.email): \(proof.outcome.detail): the new \(keyWord) works; no grant was made again")
            if let known = proof.ledgerGrantID {
                lines.append(
                    "warning: the ledger knew \(proof.email) by grant \(known); Nylas answered with another (the old one was gone): the next run with --adopt-existing records it")
            }
        } else {
            lines.append(
                "✗ proof: custom authentication of \(proof.email): \(proof.outcome.detail)\(proof.outcome.fix.map { " → fix: \($0)" } ?? "")")
        }
        if let previous {
            lines.append(previous.line(provider: provider, clientEmail: key.clientEmail))
        } else {
            lines.append(
                "old \(keyWord): not recorded in ledger \(options.ledger) (the credential was created elsewhere): find it by its date in \(provider == .google ? "Google Cloud (IAM & Admin → Service accounts → Keys)" : "Entra ID (App registrations → Certificates & secrets)") and delete it once nothing uses it")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The key the rotation replaced, as the ledger recorded it.
    struct PreviousKey {
        var keyID: String?
        var recordedAt: Double?
        var source: String?

        func line(provider: Provider, clientEmail: String?) -> String {
            let facts = [
                recordedAt.map { "recorded by bulkgrant \(GrantText.isoTime(Int($0)))" }, source.map { "from \($0)" },
            ].compactMap { $0 }.joined(separator: " ")
            let shown = facts.isEmpty ? "" : " (\(facts))"
            switch provider {
            case .google:
                return "old key: private_key_id \(keyID ?? "unknown")\(shown): delete it in the Google Cloud console → IAM & Admin → Service accounts → \(clientEmail ?? "the service account") → Keys, once nothing else uses it"
            case .microsoft:
                return "old secret\(shown): delete it in Entra ID → App registrations → your app → Certificates & secrets (by its start date), once nothing else uses it"
            }
        }
    }

    private func previousKey(_ recorded: CredentialFacts?, newKeyID: String?) -> PreviousKey? {
        guard let recorded else { return nil }
        if let previous = recorded.previousKeyID, previous != newKeyID {
            return PreviousKey(keyID: previous, recordedAt: recorded.previousRecordedAt, source: recorded.previousKeySource)
        }
        // Not recorded by this rotation (no ledger write): the ledger's key is the old one.
        if let current = recorded.keyID, current != newKeyID {
            return PreviousKey(keyID: current, recordedAt: recorded.recordedAt, source: recorded.keySource)
        }
        return nil
    }

    /// `rotate` again with the old key's file, when that file still holds the old key; else a
    /// placeholder and what must go in it.
    private func rollbackCommand(previous: PreviousKey?, key: RotationKey) -> (command: String, note: String?) {
        let flag = provider == .google ? "--key-file" : "--client-secret-file"
        var file = provider == .google ? "OLD_KEY.json" : "OLD_SECRET_FILE"
        var note: String?
        if let previous, let source = previous.source, source != key.keySource, let id = previous.keyID,
            holdsKey(id, file: source)
        {
            file = source
        } else if provider == .google {
            note = "OLD_KEY.json: the service account's JSON key \(previous?.keyID.map { "whose private_key_id is \($0)" } ?? "used before"); bulkgrant keeps no copy of keys"
        } else {
            note = "OLD_SECRET_FILE: a file holding the Value of the secret used before; bulkgrant keeps no copy of secrets"
        }
        let words =
            ["bulkgrant", "credentials", "rotate", provider.rawValue, flag, file] + key.rollbackWords + options.repeated
        return (ShellWords.line(words), note)
    }

    /// Whether `file` still holds the key `id` (it may have been overwritten with the new one).
    private func holdsKey(_ id: String, file: String) -> Bool {
        switch provider {
        case .google: return (try? GoogleKeyFile.load(path: file))?.privateKeyID == id
        case .microsoft: return MicrosoftCredentialSettings.secretFingerprint(file: file) == id
        }
    }

    /// `--json`.
    struct RotationJSON: Encodable {
        struct Previous: Encodable {
            var keyID: String?
            var recordedAt: String?
            var source: String?
            enum CodingKeys: String, CodingKey {
                case keyID = "key_id"
                case recordedAt = "recorded_at"
                case source
            }
        }

        struct ProofJSON: Encodable {
            var email: String
            var passed: Bool
            var detail: String
            var cause: String?
            var fix: String?

            init(_ proof: Proof) {
                email = proof.email
                passed = proof.passed
                detail = proof.outcome.detail
                cause = proof.outcome.diagnosis?.cause
                fix = proof.outcome.fix
            }
        }

        var credential: Credential
        var keyID: String?
        var previousKey: Previous?
        var proof: ProofJSON
        var rollback: String?

        enum CodingKeys: String, CodingKey {
            case credential, proof, rollback
            case keyID = "key_id"
            case previousKey = "previous_key"
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(credential, forKey: .credential)
            try container.encode(keyID, forKey: .keyID)
            try container.encode(previousKey, forKey: .previousKey)
            try container.encode(proof, forKey: .proof)
            try container.encode(rollback, forKey: .rollback)
        }
    }
}
