import Foundation
import GrantLedger
import Logging

/// The ledger checks of `bulkgrant doctor`: readable (and bound to this API host), writable,
/// and not locked by a run. Leaves the ledger as it found it: the file is opened read-only and
/// never migrated, and the lock is only tested, never taken for longer than the test.
struct LedgerProbe: Sendable {
    var path: String
    /// What the ledger must be bound to (`APIEndpoint.identity`).
    var apiIdentity: String
    var logger: Logger

    func checks() async -> [DoctorCheck] {
        [await readable(), writable(), lock()]
    }

    // MARK: Readable

    private func readable() async -> DoctorCheck {
        let title = "ledger \(path) readable"
        guard FileManager.default.fileExists(atPath: path) else {
            return .pass("ledger.readable", title, "does not exist yet; the first run creates it")
        }
        let ledger: Ledger
        do {
            ledger = try Ledger.openReadOnly(path: path, logger: logger)
        } catch {
            return .fail("ledger.readable", title, "\(error)", fix: fix(for: error))
        }
        defer { try? ledger.close() }
        do {
            let counts = try await ledger.stateCounts()
            let users = counts.values.reduce(0, +)
            if let bound = try await ledger.boundAPIHost(), bound != apiIdentity {
                return .fail(
                    "ledger.readable", title, "it belongs to API host \(bound), not \(apiIdentity)",
                    fix: "pass the --api-uri/--region it was made with, or --ledger to name this host's ledger")
            }
            return .pass("ledger.readable", title, "\(users) user\(users == 1 ? "" : "s") recorded")
        } catch {
            return .fail("ledger.readable", title, "\(error)", fix: fix(for: error))
        }
    }

    private func fix(for error: Error) -> String {
        guard let error = error as? LedgerError else { return "check the file, or pass another --ledger" }
        switch error.code {
        case .corrupt: return "move it aside and restore a backup, or pass --ledger to start a new one"
        case .newerSchema: return "upgrade bulkgrant"
        default: return "check the file's permissions and owner (ls -l \(path)), or pass another --ledger"
        }
    }

    // MARK: Writable

    private func writable() -> DoctorCheck {
        let title = "ledger \(path) writable"
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .fail(
                "ledger.writable", title, "its folder \(folder) does not exist",
                fix: "create it (mkdir -p \(folder)) or pass another --ledger")
        }
        // SQLite writes `-wal`, `-shm` and the run lock beside the ledger: the folder must be
        // writable even when the file is.
        guard access(folder, W_OK | X_OK) == 0 else {
            return .fail(
                "ledger.writable", title, "its folder \(folder) is not writable by this user",
                fix: "run as the folder's owner, or chown/chmod it (the run writes -wal, -shm and .lock files beside the ledger)")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            return .pass("ledger.writable", title, "will be created in \(folder), which is writable")
        }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            guard access(file, R_OK | W_OK) == 0 else {
                return .fail(
                    "ledger.writable", title, "\(file) is not writable by this user",
                    fix: "run as its owner, or chown it to the user the nightly job runs as")
            }
        }
        return .pass("ledger.writable", title, "the file and its folder are writable")
    }

    // MARK: Lock

    private func lock() -> DoctorCheck {
        let title = "ledger \(path) not locked"
        switch LedgerLockProbe.state(ledgerPath: path) {
        case .free:
            return .pass("ledger.lock", title, "no run holds it")
        case .held(let holder):
            return .fail(
                "ledger.lock", title, "held by \(holder.isEmpty ? "another process" : holder)",
                fix: "a run is using it: wait for it to finish (or stop it), then rerun doctor")
        case .unknown(let reason):
            return .fail(
                "ledger.lock", title, "cannot test its lock file \(path).lock (\(reason))",
                fix: "check the lock file's permissions and owner")
        }
    }
}

extension LedgerProbe {
    /// What `credentials create` noted of credential `id`, read without changing the file; nil
    /// when there is no ledger, no note, or the ledger predates notes.
    static func credentialFacts(path: String, id: String, logger: Logger) async -> CredentialFacts? {
        guard FileManager.default.fileExists(atPath: path),
            let ledger = try? Ledger.openReadOnly(path: path, logger: logger)
        else { return nil }
        defer { try? ledger.close() }
        return try? await ledger.credentialFacts(id: id)
    }
}
