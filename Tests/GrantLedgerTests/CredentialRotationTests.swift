import Foundation
import Logging
import Testing

@testable import GrantLedger

/// What a rotation leaves in the ledger's `credentials` table: the new key, and the key it
/// replaced, kept when the same rotation is recorded again.
@Suite("ledger: credential rotation")
struct CredentialRotationTests {
    @Test("the replaced key is kept, also when a rotation is recorded twice; users granted with the credential are found")
    func rotation() async throws {
        let (ledger, dir) = try CauseColumnTests.ledger()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await ledger.recordCredential(
            CredentialFacts(
                id: "c1", provider: "google", clientEmail: "sa@p.iam.gserviceaccount.com", keyID: "k1", keySource: "/keys/1.json",
                recordedAt: 100))
        for _ in 0..<2 {
            let facts = try await ledger.recordRotation(
                CredentialFacts(id: "c1", provider: "google", keyID: "k2", keySource: "/keys/2.json", recordedAt: 200))
            #expect(facts.keyID == "k2" && facts.keySource == "/keys/2.json" && facts.recordedAt == 200)
            #expect(facts.previousKeyID == "k1" && facts.previousKeySource == "/keys/1.json" && facts.previousRecordedAt == 100)
        }
        // Created again with the same key (Nylas re-used it): the rotation's record stays.
        try await ledger.recordCredential(CredentialFacts(id: "c1", provider: "google", keyID: "k2", recordedAt: 300))
        #expect(try await ledger.credentialFacts(id: "c1")?.previousKeyID == "k1")
        let rolledBack = try await ledger.recordRotation(CredentialFacts(id: "c1", provider: "google", keyID: "k1", recordedAt: 400))
        #expect(rolledBack.previousKeyID == "k2" && rolledBack.previousRecordedAt == 300)
        // A credential the ledger never saw is recorded with no previous key.
        let fresh = try await ledger.recordRotation(CredentialFacts(id: "c2", provider: "microsoft", keyID: "sha256:00ff00ff"))
        #expect(fresh.previousKeyID == nil)

        let run = try await CauseColumnTests.run(ledger)
        let ids = try await ledger.insertPending(emails: ["a@x.example", "b@x.example", "c@x.example"], provider: "google", runID: run)
        try await ledger.apply([
            UserUpdate(userID: ids["a@x.example"]!, state: .granted, grantID: "g-a", credentialID: "c1"),
            UserUpdate(userID: ids["b@x.example"]!, state: .granted, grantID: "g-b", credentialID: "other"),
            UserUpdate(userID: ids["c@x.example"]!, state: .failed, credentialID: "c1"),
        ])
        let granted = try await ledger.grantedUsers(credentialID: "c1", provider: "google", limit: 3)
        #expect(granted.map(\.email) == ["a@x.example"] && granted.map(\.grantID) == ["g-a"])
        try ledger.close()
    }
}
