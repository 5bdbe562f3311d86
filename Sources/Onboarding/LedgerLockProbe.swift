#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Whether a run holds a ledger, without taking the run lock: `GrantLedger` keeps an exclusive
/// `flock` on `<ledger>.lock` for a run's whole life and writes `bulkgrant pid N since …` in
/// it. A shared lock that cannot be had means a run is there.
///
/// The shared lock is held only between two system calls; a run starting in that instant would
/// be refused and can simply be started again.
enum LedgerLockProbe {
    enum State: Sendable, Equatable {
        case free
        /// Held; the lock file's text (`bulkgrant pid N since …`), or empty.
        case held(String)
        case unknown(String)
    }

    static func state(ledgerPath: String) -> State {
        let lockPath = ledgerPath + ".lock"
        // No lock file: no run has ever held this ledger here, and none holds it now.
        guard FileManager.default.fileExists(atPath: lockPath) else { return .free }
        // Read-only, and no O_CREAT: the probe never creates nor changes anything.
        let fd = open(lockPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .unknown(String(cString: strerror(errno))) }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return .free
        }
        guard errno == EWOULDBLOCK else { return .unknown(String(cString: strerror(errno))) }
        let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return .held(holder)
    }
}
