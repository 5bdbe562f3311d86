import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("bulkgrant grants list")
struct GrantsListTests {
    @Test func pagesThroughMoreThan200GrantsInEveryFormat() async throws {
        try await withCLI { cli, server, _ in
            var seeded = Set<String>()
            for index in 0..<450 {
                seeded.insert(await server.state.seedGrant(provider: .google, email: "user\(index)@acme.example").id)
            }
            var calls = 0
            for format in ["table", "json", "csv"] {
                let output = try await cli.run(["grants", "list", "--format", format])
                #expect(output.status == 0, "\(format): \(output.stderr)")
                let lines = output.stdout.split(separator: "\n").map(String.init)
                var listed: [String] = []
                switch format {
                case "table":
                    #expect(lines.first?.hasPrefix("ID") == true)
                    #expect(lines.last == "450 grants")
                    listed = lines.dropFirst().dropLast().map { String($0.prefix { $0 != " " }) }
                case "json":
                    let list = try JSONDecoder().decode(GrantListJSON.self, from: Data(output.stdout.utf8))
                    #expect(list.count == 450)
                    listed = list.data.map(\.id)
                default:
                    #expect(lines.first == "id,provider,email,grant_status,created_at,updated_at,credential_id,scope")
                    #expect(output.stderr.contains("450 grants"))
                    listed = lines.dropFirst().map { String($0.prefix { $0 != "," }) }
                }
                #expect(listed.count == 450, "\(format)")
                #expect(Set(listed) == seeded, "\(format)")
                // 200 + 200 + 50: three calls, not 45 of Nylas's default 10.
                let total = await server.state.stats().count("GET", "/v3/grants", status: 200)
                #expect(total - calls == 3, "\(format)")
                calls = total
            }
        }
    }

    @Test func filtersByProviderEmailStatusAndSince() async throws {
        try await withCLI { cli, server, _ in
            let alice = await server.state.seedGrant(provider: .google, email: "alice@acme.example")
            let bob = await server.state.seedGrant(provider: .google, email: "bob@acme.example", status: "invalid")
            let carol = await server.state.seedGrant(provider: .microsoft, email: "carol@acme.example")
            func ids(_ filters: [String]) async throws -> Set<String> {
                let output = try await cli.run(["grants", "list", "--json"] + filters)
                #expect(output.status == 0, "\(filters): \(output.stderr)")
                return Set(try JSONDecoder().decode(GrantListJSON.self, from: Data(output.stdout.utf8)).data.map(\.id))
            }
            let microsoftOnly = try await ids(["--provider", "microsoft"])
            #expect(microsoftOnly == [carol.id])
            let invalidOnly = try await ids(["--status", "invalid"])
            #expect(invalidOnly == [bob.id])
            let validGoogle = try await ids(["--status", "valid", "--provider", "google"])
            #expect(validGoogle == [alice.id])
            let byEmail = try await ids(["--email", "alice@acme.example"])
            #expect(byEmail == [alice.id])
            let since2000 = try await ids(["--since", "2000-01-01"])
            #expect(since2000 == [alice.id, bob.id, carol.id])
            let sinceAnHourAgo = try await ids(["--since", String(Int(Date().timeIntervalSince1970) - 3600)])
            #expect(sinceAnHourAgo.count == 3)
            let sinceTheFuture = try await ids(["--since", "2999-01-01"])
            #expect(sinceTheFuture.isEmpty)
        }
    }

    @Test(arguments: ["yesterday", "2025-13-01", "2025-02-30", "31/01/2025", "-5"])
    func aBadSinceExits2WithTheExpectedFormat(value: String) async throws {
        try await withCLI { cli, server, _ in
            let output = try await cli.run(["grants", "list", "--since=\(value)"])
            #expect(output.status == 2)
            #expect(output.stderr.contains("YYYY-MM-DD"), "\(output.stderr)")
            #expect(output.stderr.contains("unix seconds"))
            #expect(await server.state.stats().count("GET", "/v3/grants") == 0)
        }
    }

    @Test func aReaderThatStopsEarlyEndsTheListingQuietly() async throws {
        try await withCLI { cli, server, _ in
            await server.state.seedGrant(provider: .google, email: "alice@acme.example")
            // `bulkgrant grants list | head -0`: the pipe's only reader is gone before the first line.
            let pipe = Pipe()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binaryPath())
            process.arguments = ["grants", "list", "--api-uri", server.baseURI]
            process.environment = ["NYLAS_API_KEY": cli.key, "SWIFT_BACKTRACE": "enable=no"]
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            let finished = AsyncStream<Void>.makeStream()
            process.terminationHandler = { _ in finished.continuation.finish() }
            try process.run()
            try pipe.fileHandleForReading.close()
            for await _ in finished.stream {}
            process.waitUntilExit()
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 0)
        }
    }

    @Test func aTransientFailureOnAPageIsRetried() async throws {
        try await withCLI { cli, server, _ in
            for index in 0..<250 {
                await server.state.seedGrant(provider: .google, email: "user\(index)@acme.example")
            }
            await server.state.script([.status(503, retryAfter: .seconds(0))], for: "/v3/grants")
            let output = try await cli.run(["grants", "list"])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.hasSuffix("250 grants\n"))
            #expect(output.stderr.contains("retrying"))
            let stats = await server.state.stats()
            #expect(stats.count("GET", "/v3/grants", status: 503) == 1)
            #expect(stats.count("GET", "/v3/grants", status: 200) == 2)
        }
    }
}
