#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The one-run-per-ledger lock: an exclusive `flock` on `<ledger>.lock`, which the kernel
/// releases when the process dies, however it dies. The file holds the holder's pid so that a
/// refused run can name it.
final class LedgerLock: Sendable {
    let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    static func acquire(ledgerPath: String) throws -> LedgerLock {
        let path = ledgerPath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw LedgerError(
                code: .unwritable, path: ledgerPath,
                message: "cannot create the lock file \(path): \(String(cString: strerror(errno))); check the folder's permissions")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            let who = holder.isEmpty ? "another process" : holder
            throw LedgerError(
                code: .locked, path: ledgerPath,
                message: "in use by \(who); wait for that run to finish (or stop it), then run again")
        }
        let note = "bulkgrant pid \(getpid()) since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
        return LedgerLock(path: path, descriptor: fd)
    }

    /// Releases the lock (also released when the process exits).
    func release() {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
