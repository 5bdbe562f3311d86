import Foundation
import GRDB
import GrantLedger
import NylasAPI
import NylasSandbox
import Testing

extension Reliability {
    /// The ledger under attack: damaged, read-only, newer, full, or held by another run. Each must
    /// end in a clear message and exit code, with nothing sent that could not be recorded and no
    /// outcome already recorded lost.
    @Suite("ledger faults")
    struct LedgerFaultTests {
        /// A ledger in which 20 users are granted, and the sandbox that granted them.
        struct Granted {
            let dir: TemporaryDirectory
            let input: String
            let ledger: String
            let server: SandboxServer
            let log: EventLog

            static func make(users: Int = 20) async throws -> Granted {
                let dir = try TemporaryDirectory()
                let input = try dir.write("export.csv", exportText(count: users))
                let ledger = dir.file("ledger.sqlite")
                let log = EventLog()
                let server = try await startSandbox(log: log)
                let first = try await runBinary(
                    runArguments(input, ledger: ledger, server: server, extra: ["--rate", "1000"]),
                    environment: ["NYLAS_API_KEY": sandboxKey], in: dir.path)
                #expect(first.status == 0, "\(first.transcript)")
                return Granted(dir: dir, input: input, ledger: ledger, server: server, log: log)
            }

            func run(_ extra: [String] = [], ledger path: String? = nil) async throws -> ProcessResult {
                try await runBinary(
                    runArguments(input, ledger: path ?? ledger, server: server, extra: ["--rate", "1000"] + extra),
                    environment: ["NYLAS_API_KEY": sandboxKey], in: dir.path)
            }

            var posts: Int { log.answers("POST", "/v3/connect/custom").count }

            func finish() async {
                await server.stop()
                dir.remove()
            }
        }

        @Test("a file that is not a database: exit 2, says so, nothing sent, the file left as it was")
        func notADatabase() async throws {
            let setup = try await Granted.make()
            let garbage = Data(String(repeating: "this is not a ledger\n", count: 400).utf8)
            let path = try setup.dir.write("garbage.sqlite", garbage)
            let calls = setup.log.all.count
            let result = try await setup.run(ledger: path)
            #expect(result.status == 2, "\(result.transcript)")
            #expect(result.stderr.contains("garbage.sqlite: is not a bulkgrant ledger or is damaged"), "\(result.transcript)")
            #expect(result.stderr.contains("move it aside and restore a backup"))
            #expect(setup.log.all.count == calls, "nothing may be sent")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage, "the file must not be overwritten")
            await setup.finish()
        }

        @Test("a ledger damaged in the middle: refused with a clear message before anything is sent")
        func damagedLedger() async throws {
            let setup = try await Granted.make(users: 400)
            try checkpoint(setup.ledger)
            let damaged = setup.dir.file("damaged.sqlite")
            // The root pages of `users` and its indexes become noise. The header, the schema and the
            // migrations stay readable, so the damage shows only when the users are read.
            let queue = try DatabaseQueue(path: setup.ledger)
            let (pageSize, roots) = try await queue.read { db in
                (
                    try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096,
                    try Int.fetchAll(db, sql: "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'users' AND rootpage > 0")
                )
            }
            try queue.close()
            var bytes = try Data(contentsOf: URL(fileURLWithPath: setup.ledger))
            #expect(roots.count >= 2)
            for root in roots {
                let start = (root - 1) * pageSize
                bytes.replaceSubrange(start..<(start + pageSize), with: Data(repeating: 0xA5, count: pageSize))
            }
            try bytes.write(to: URL(fileURLWithPath: damaged))
            let calls = setup.log.all.count
            let result = try await setup.run(ledger: damaged)
            #expect(result.status == 3, "\(result.transcript)")
            #expect(result.stderr.contains("damaged.sqlite: is not a bulkgrant ledger or is damaged"), "\(result.transcript)")
            #expect(result.stderr.contains("restore a backup"), "\(result.transcript)")
            #expect(setup.log.all.count == calls, "nothing may be sent from a ledger that cannot be read")
            await setup.finish()
        }

        @Test("a read-only ledger: exit 2 naming the permission problem, nothing sent, its outcomes kept")
        func readOnlyLedger() async throws {
            let setup = try await Granted.make()
            try checkpoint(setup.ledger)
            let before = try Data(contentsOf: URL(fileURLWithPath: setup.ledger))
            chmod(setup.ledger, 0o444)
            let posts = setup.posts
            var arguments = runArguments(setup.input, ledger: setup.ledger, server: setup.server, extra: ["--rate", "1000"])
            arguments += ["--json"]
            let result: ProcessResult
            if runningAsRoot {
                // Root writes to a 0444 file anyway: run as `nobody`, as a cron job under its own user.
                let setpriv = try #require(
                    ["/usr/bin/setpriv", "/bin/setpriv"].first(where: FileManager.default.isExecutableFile),
                    "setpriv is needed to drop root for this test")
                chmod(setup.dir.path, 0o777)
                try? FileManager.default.removeItem(atPath: setup.ledger + ".lock")
                result = try await runProcess(
                    setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", binaryPath()] + arguments,
                    environment: ["NYLAS_API_KEY": sandboxKey], in: setup.dir.path)
            } else {
                result = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: setup.dir.path)
            }
            #expect(result.status == 2, "\(result.transcript)")
            #expect(result.stderr.contains("ledger.sqlite"), "\(result.transcript)")
            #expect(result.stderr.lowercased().contains("permission denied"), "\(result.transcript)")
            #expect(result.stderr.contains("permissions"), "the message must say what to check: \(result.transcript)")
            #expect(setup.posts == posts, "nothing may be sent when outcomes cannot be recorded")
            #expect(try Data(contentsOf: URL(fileURLWithPath: setup.ledger)) == before, "the ledger must be left as it was")
            chmod(setup.ledger, 0o600)
            let states = try await ledgerStates(setup.ledger)
            #expect(states.count == 20 && states.values.allSatisfy { $0 == .granted })
            await setup.finish()
        }

        @Test("a ledger written by a newer bulkgrant: exit 2, 'upgrade', nothing sent, the file untouched")
        func newerSchema() async throws {
            let setup = try await Granted.make()
            do {
                let queue = try DatabaseQueue(path: setup.ledger)
                try await queue.write { db in
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-a-newer-bulkgrant')")
                }
                try queue.close()
            }
            let before = try await contents(setup.ledger)
            let calls = setup.log.all.count
            let result = try await setup.run()
            #expect(result.status == 2, "\(result.transcript)")
            #expect(result.stderr.contains("written by a newer bulkgrant"), "\(result.transcript)")
            #expect(result.stderr.contains("upgrade bulkgrant"))
            #expect(setup.log.all.count == calls, "nothing may be sent")
            // Not migrated, nothing recorded. (Its bytes may change: GRDB creates and drops a table
            // to make the WAL file exist when it opens a pool; the content stays the same.)
            #expect(try await contents(setup.ledger) == before, "the newer ledger must not be migrated or written")
            await setup.finish()
        }

        @Test("a ledger made for another API host is refused before any call")
        func otherHost() async throws {
            let setup = try await Granted.make()
            let result = try await runBinary(
                [
                    "run", setup.input, "--provider", "google", "--credential-id", credentialID, "--scope", calendarScope,
                    "--ledger", setup.ledger, "--region", "eu", "--no-progress",
                ], environment: ["NYLAS_API_KEY": "not-used"], in: setup.dir.path)
            #expect(result.status == 2, "\(result.transcript)")
            #expect(
                result.stderr.contains("made by a --sandbox trial (or a sandbox on loopback), not for https://api.eu.nylas.com"),
                "\(result.transcript)")
            await setup.finish()
        }

        @Test("a ledger in a folder that does not exist: exit 2 with the reason")
        func missingFolder() async throws {
            let setup = try await Granted.make(users: 1)
            let result = try await setup.run(ledger: setup.dir.file("no/such/folder/ledger.sqlite"))
            #expect(result.status == 2, "\(result.transcript)")
            #expect(result.stderr.contains("no/such/folder/ledger.sqlite"), "\(result.transcript)")
            #expect(result.stderr.contains("No such file or directory"), "\(result.transcript)")
            await setup.finish()
        }

        @Test("the disk fills up mid-run (RLIMIT_FSIZE): exit 3, 'free disk space', every created grant recorded or looked up")
        func fileSizeLimitMidRun() async throws {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let users = 1000
            let input = try dir.write("export.csv", exportText(count: users))
            let ledger = dir.file("ledger.sqlite")
            let log = EventLog()
            let server = try await startSandbox(log: log)
            defer { Task { await server.stop() } }
            let arguments = runArguments(input, ledger: ledger, server: server, extra: ["--rate", "2000", "--json"])
            // 1 MiB per file: room for the ledger and the 1,000 pending users, not for the whole run.
            // SIGXFSZ is ignored, as it would be under most supervisors, so the write fails with EFBIG.
            let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            let full = try await runShell(
                "trap '' XFSZ; ulimit -f 2048; exec \"$BULKGRANT\" \(quoted)", environment: ["NYLAS_API_KEY": sandboxKey],
                in: dir.path)
            #expect(full.status == 3, "\(full.transcript)")
            #expect(!full.crashed, "\(full.transcript)")
            let stop = jsonSummary(full)["stop_reason"] as? String ?? ""
            #expect(stop.contains("ledger.sqlite"), "\(full.transcript)")
            #expect(stop.contains("free disk space") || stop.contains("free space"), "\(full.transcript)")

            // Every grant the server created is in the ledger as granted, or as in flight (to be
            // looked up): never pending, which would send it again.
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail.count > 0 && stats.creationsByEmail.count < users, "the limit must hit mid-run")
            let states = try await ledgerStates(ledger)
            #expect(states.count == users, "no user row may be lost")
            let exposed = stats.creationsByEmail.keys.filter { ![.granted, .inFlight].contains(states[$0]) }
            #expect(exposed.isEmpty, "created but recorded as neither granted nor in flight: \(exposed.sorted().prefix(5))")
            #expect(try await integrity(ledger) == "ok")

            // With space again, the same command finishes the job without any second creation.
            let rerun = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir.path)
            #expect(rerun.status == 0, "\(rerun.transcript)")
            let after = await server.state.stats()
            #expect(after.creationsByEmail.count == users)
            #expect(after.creationsByEmail.values.allSatisfy { $0 == 1 })
            #expect(after.reauthsByEmail.isEmpty, "\(after.reauthsByEmail.keys.sorted().prefix(5))")
            let final = try await ledgerStates(ledger)
            #expect(final.count == users && final.values.allSatisfy { $0 == .granted })
            #expect(try await integrity(ledger) == "ok")
        }

        @Test(
            "the disk fills up mid-run (a 640 KiB tmpfs): exit 3, then with space the rerun completes without duplicates",
            .enabled(if: TmpfsMount.available, "needs root and mount(8) to mount a tmpfs"))
        func tmpfsFullMidRun() async throws {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let users = 1000
            let input = try dir.write("export.csv", exportText(count: users))
            let mount = try TmpfsMount(at: dir.file("small-disk"), size: "640k")
            defer { mount.unmount() }
            let ledger = mount.path + "/ledger.sqlite"
            let log = EventLog()
            let server = try await startSandbox(log: log)
            defer { Task { await server.stop() } }
            let arguments = runArguments(input, ledger: ledger, server: server, extra: ["--rate", "2000", "--json"])
            let full = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir.path)
            #expect(full.status == 3, "\(full.transcript)")
            let stop = jsonSummary(full)["stop_reason"] as? String ?? ""
            #expect(stop.contains("disk") && stop.contains("free"), "\(full.transcript)")
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail.count > 0 && stats.creationsByEmail.count < users, "the disk must fill mid-run")
            let states = try await ledgerStates(ledger)
            let exposed = stats.creationsByEmail.keys.filter { ![.granted, .inFlight].contains(states[$0]) }
            #expect(exposed.isEmpty, "created but recorded as neither granted nor in flight: \(exposed.sorted().prefix(5))")

            try mount.resize("64m")
            let rerun = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir.path)
            #expect(rerun.status == 0, "\(rerun.transcript)")
            let after = await server.state.stats()
            #expect(after.creationsByEmail.count == users && after.creationsByEmail.values.allSatisfy { $0 == 1 })
            #expect(after.reauthsByEmail.isEmpty)
            #expect(try await ledgerStates(ledger).values.allSatisfy { $0 == .granted })
            #expect(try await integrity(ledger) == "ok")
        }

        @Test("a concurrent run is refused with exit 3 naming the holder; a SIGKILLed holder frees the ledger")
        func concurrentRun() async throws {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let users = 150
            let input = try dir.write("export.csv", exportText(count: users))
            let ledger = dir.file("ledger.sqlite")
            let log = EventLog()
            var faults = FaultPlan()
            faults.latencyMs = 50...50
            let server = try await startSandbox(faults: faults, log: log)
            defer { Task { await server.stop() } }
            let arguments = runArguments(input, ledger: ledger, server: server, extra: ["--rate", "1000", "--concurrency", "2"])
            let holder = PIDBox()
            let first = Task {
                try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir.path, pid: holder)
            }
            #expect(await log.wait { $0.filter { if case .grantCreated = $0.event { true } else { false } }.count >= 10 })
            let second = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir.path)
            #expect(second.status == 3, "\(second.transcript)")
            #expect(second.stderr.contains("in use by bulkgrant pid \(holder.pid)"), "\(second.transcript)")
            #expect(second.stderr.contains("wait for that run to finish"))

            // The holder dies without a chance to clean up; the kernel releases its lock.
            holder.killOnce()
            let killed = try await first.value
            #expect(killed.killed, "the first run must still have been running: \(killed.transcript)")
            let third = try await runBinary(arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir.path)
            #expect(third.status == 0, "\(third.transcript)")
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail.count == users && stats.creationsByEmail.values.allSatisfy { $0 == 1 })
            #expect(stats.reauthsByEmail.isEmpty)
            #expect(try await ledgerStates(ledger).values.allSatisfy { $0 == .granted })
        }
    }
}

/// Every row of every table of a ledger, as text: to compare a ledger's content before and after.
func contents(_ path: String) async throws -> [String] {
    let queue = try DatabaseQueue(path: path)
    defer { try? queue.close() }
    return try await queue.read { db in
        var lines: [String] = []
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        for table in tables {
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                lines.append("\(table): \(row.description)")
            }
        }
        return lines.sorted()
    }
}

/// Folds the WAL into the main file, so that the file's bytes are the whole ledger.
func checkpoint(_ path: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    try queue.close()
}

/// A small tmpfs, for a disk that really fills up (ENOSPC rather than EFBIG).
struct TmpfsMount {
    let path: String

    static let available: Bool = {
        guard runningAsRoot, let mount = mountTool else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("tmpfs-probe-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard run(mount, ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]) == 0 else { return false }
        _ = run(umountTool ?? "/bin/umount", [probe])
        return true
    }()

    static let mountTool = ["/usr/bin/mount", "/bin/mount"].first(where: FileManager.default.isExecutableFile)
    static let umountTool = ["/usr/bin/umount", "/bin/umount"].first(where: FileManager.default.isExecutableFile)

    init(at path: String, size: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard let mount = Self.mountTool, Self.run(mount, ["-t", "tmpfs", "-o", "size=\(size),mode=0700", "tmpfs", path]) == 0
        else { throw CocoaError(.fileWriteNoPermission) }
        self.path = path
    }

    func resize(_ size: String) throws {
        guard let mount = Self.mountTool, Self.run(mount, ["-o", "remount,size=\(size)", path]) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    func unmount() { _ = Self.run(Self.umountTool ?? "/bin/umount", [path]) }

    private static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
