#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB
import Logging

/// The SQLite ledger of every user's outcome: the memory that makes a rerun resume.
///
/// One file (mode 0600, WAL), held by one run at a time through `<path>.lock`. Bound to the API
/// host it was first used with, so a run against the other region cannot mix two applications'
/// grants in one file.
public final class Ledger: Sendable {
    public let path: String
    let pool: DatabasePool
    private let lock: LedgerLock?
    let writerHandle: LedgerWriter
    private let logger: Logger

    private init(path: String, pool: DatabasePool, lock: LedgerLock?, logger: Logger) {
        self.path = path
        self.pool = pool
        self.lock = lock
        self.logger = logger
        self.writerHandle = LedgerWriter(pool: pool, path: path)
    }

    /// Opens (creating if needed) the ledger for a run: takes the lock, migrates, checks the
    /// schema and the API host.
    /// - Parameter apiIdentity: what the ledger is bound to (`APIEndpoint.identity`).
    public static func open(path: String, apiIdentity: String, logger: Logger) throws -> Ledger {
        let lock = try LedgerLock.acquire(ledgerPath: path)
        do {
            try createPrivately(path)
            let pool = try openPool(path: path, readOnly: false)
            let migrator = LedgerMigrations.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw LedgerError(
                    code: .newerSchema, path: path,
                    message: "written by a newer bulkgrant (its schema has migrations this version does not know); upgrade bulkgrant")
            }
            try migrator.migrate(pool)
            try pool.write { db in
                let bound = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'api_host'")
                if let bound, bound != apiIdentity {
                    throw LedgerError(
                        code: .otherHost, path: path,
                        message: "belongs to API host \(bound), not \(apiIdentity); use --ledger to name this host's ledger, or the --api-uri/--region it was made with",
                        boundHost: bound)
                }
                if bound == nil {
                    try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('api_host', ?)", arguments: [apiIdentity])
                }
            }
            return Ledger(path: path, pool: pool, lock: lock, logger: logger)
        } catch let error as LedgerError {
            lock.release()
            throw error
        } catch {
            lock.release()
            throw classify(error, path: path)
        }
    }

    /// Opens an existing ledger without the lock and without writing (for plans and reports).
    public static func openReadOnly(path: String, logger: Logger) throws -> Ledger {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LedgerError(code: .unreadable, path: path, message: "no such file; run `bulkgrant run` first, or pass --ledger")
        }
        do {
            let pool = try openPool(path: path, readOnly: true)
            if try pool.read({ try LedgerMigrations.migrator.hasBeenSuperseded($0) }) {
                throw LedgerError(code: .newerSchema, path: path, message: "written by a newer bulkgrant; upgrade bulkgrant")
            }
            return Ledger(path: path, pool: pool, lock: nil, logger: logger)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw classify(error, path: path)
        }
    }

    /// Moves every commit from the `-wal` file into the ledger file itself and empties the WAL,
    /// so that a plain copy of the `.sqlite` file taken now is complete (WAL mode otherwise
    /// keeps recent commits beside it until SQLite checkpoints by itself).
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
    }

    /// Checkpoints the WAL (when this opening may write) and releases the lock. The ledger must
    /// not be used afterwards. Every clean end of a run, finished, stopped or refused, ends here.
    public func close() throws {
        if lock != nil {
            do {
                try checkpoint()
            } catch {
                // A reader (status, report) still inside the WAL: SQLite finishes it later.
                logger.info("WAL checkpoint at close deferred", metadata: ["ledger.path": "\(path)", "error": "\(error)"])
            }
        }
        try pool.close()
        lock?.release()
    }

    /// Writes a consistent copy of the ledger to `destination` with SQLite's online backup,
    /// safe while a run holds and writes the ledger (it reads one snapshot). The copy is created
    /// with mode 0600, like the ledger, and must not exist yet.
    public func backup(to destination: String) throws {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw LedgerError(
                code: .unwritable, path: destination, message: "already exists; name a new file, or remove it first")
        }
        try Self.createPrivately(destination)
        do {
            let copy = try DatabaseQueue(path: destination)
            try pool.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                // A self-contained file: no -wal beside it to forget when it is moved.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
            }
            try copy.close()
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw Self.classify(error, path: destination)
        }
    }

    private static func openPool(path: String, readOnly: Bool) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // In WAL mode NORMAL makes a commit durable against the process dying (SIGKILL, OOM,
            // a crash): the threat the in_flight protocol answers. Only a power cut can undo the
            // last commits, and undoing them costs at most one re-authentication per user
            // (Nylas re-authenticates an email's existing grant), never a duplicate grant.
            // FULL's fsync per group commit cut the overhead benchmark from 2,445 to 1,836
            // users/s.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return try DatabasePool(path: path, configuration: configuration)
    }

    /// Creates the file with mode 0600 before SQLite does, since it holds addresses and grant ids;
    /// SQLite gives the -wal and -shm files the same mode.
    private static func createPrivately(_ path: String) throws {
        let fd = posixOpen(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw LedgerError(
                code: errno == EACCES || errno == EROFS ? .unwritable : .unreadable, path: path,
                message: "cannot open for writing (\(reason)); check the path and its permissions")
        }
        fchmod(fd, 0o600)
        posixClose(fd)
    }

    static func classify(_ error: Error, path: String) -> LedgerError {
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                return LedgerError(
                    code: .corrupt, path: path,
                    message: "is not a bulkgrant ledger or is damaged (\(error.message ?? "corrupt")); move it aside and restore a backup, or start a new ledger with --ledger")
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
                return LedgerError(
                    code: .unwritable, path: path,
                    message: "cannot be written (\(error.message ?? "read-only")); check the file's and folder's permissions")
            case .SQLITE_FULL:
                return LedgerError(code: .unwritable, path: path, message: "the disk is full; free disk space and rerun")
            case .SQLITE_IOERR:
                return LedgerError(
                    code: .unwritable, path: path,
                    message: "I/O error (\(error.message ?? "disk")): the disk may be full or failing; free space or check the disk, then rerun")
            default:
                break
            }
        }
        return LedgerError(code: .unreadable, path: path, message: "\(error)")
    }
}

// File-scope wrappers: inside `Ledger`, `open` and `close` name its own methods.
private func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func posixClose(_ fd: Int32) { close(fd) }
