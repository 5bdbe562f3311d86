import Foundation
import NylasSandbox
import Testing

@Suite("sandbox tenant files")
struct TenantFileTests {
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tenant-\(UUID().uuidString).toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a tenant file sets the Workspace, the Microsoft tenant and the envelope")
    func reads() throws {
        let path = try Self.write(
            """
            envelope = "gateway"
            [google]
            delegated_scopes = ["https://www.googleapis.com/auth/calendar"]
            key = "disabled"
            domains = ["Acme.example"]
            [google.users]
            "A@acme.example" = "suspended"
            [microsoft]
            consented_minutes_ago = 2
            secret = "expired"
            [microsoft.users]
            "b@acme.example" = "on_premises"
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (tenant, envelope) = try SandboxTenant.load(path: path, now: 1_000_000)
        #expect(envelope == .gateway)
        #expect(tenant.google.delegatedScopes == ["https://www.googleapis.com/auth/calendar"])
        #expect(tenant.google.key == .disabled)
        #expect(tenant.google.user("a@acme.example") == .suspended)
        #expect(tenant.google.user("z@other.example") == .unknown, "outside the Workspace's domains")
        #expect(tenant.microsoft.consentedAt.map { abs($0 - 999_880) < 0.001 } == true, "\(String(describing: tenant.microsoft.consentedAt))")
        #expect(tenant.microsoft.secret == .expired)
        #expect(tenant.microsoft.user("b@acme.example") == .onPremises)
    }

    @Test("every mistake is named with its key")
    func mistakes() throws {
        let path = try Self.write(
            """
            envelope = "shouting"
            [google]
            delegated_scope = []
            key = "lost"
            [microsoft]
            consented_at = "yesterday"
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            _ = try SandboxTenant.load(path: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains("envelope must be one of") && text.contains("unknown key google.delegated_scope")
                && text.contains("google.key must be one of") && text.contains("microsoft.consented_at")
                && text.contains(path)
        }
    }

    @Test("the examples' tenant files load", arguments: ["first-night", "no-delegation", "microsoft-no-consent"])
    func examples(name: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        _ = try SandboxTenant.load(path: root.appendingPathComponent("examples/tenants/\(name).toml").path)
    }
}
