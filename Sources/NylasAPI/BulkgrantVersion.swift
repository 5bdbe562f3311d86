/// The release version: printed by `bulkgrant --version` (with the commit the binary was built
/// from), sent in the User-Agent, and read by `scripts/release.sh` to name the archive. The one
/// place to change it.
public enum BulkgrantVersion {
    public static let current = "0.1.0"
}
