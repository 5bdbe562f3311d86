import NylasAPI

/// The commit this binary was built from.
///
/// A plain `swift build`, from a git clone or from a source tarball, says `unknown`: the build
/// never runs git. `scripts/release.sh` writes the git-ignored `BuildStamp.swift` beside this
/// file (defining `stampedCommit`), builds with `-D BULKGRANT_STAMPED`, and deletes the stamp
/// again, so no tracked file is ever rewritten.
enum BuildCommit {
    #if BULKGRANT_STAMPED
    static let hash: String = stampedCommit
    #else
    static let hash = "unknown"
    #endif

    /// What `bulkgrant --version` prints, e.g. `0.1.0 (commit 5187174a1b2c)`.
    static let versionLine = "\(BulkgrantVersion.current) (commit \(hash))"
}
