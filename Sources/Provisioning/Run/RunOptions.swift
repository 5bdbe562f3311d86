import Foundation

/// Everything one `bulkgrant run` needs besides the client and the ledger.
public struct RunOptions: Sendable {
    public var inputPath: String
    /// The job organisation this run is for; nil for a single run (which sees every user of
    /// the provider).
    public var organisation: String?
    public var reader = InputReaderConfiguration()
    /// When not empty, only addresses in these domains are provisioned.
    public var domains: Set<String> = []
    public var engine: EngineConfiguration
    /// Options worth keeping in the ledger's `runs` row (never a secret).
    public var recordedOptions: [String: String] = [:]
    /// Delete the grants of departed users (`--revoke-departed`), under the safeguard.
    public var revokeDeparted = false
    /// `--max-revoke`.
    public var maxRevoke = RevocationLimit.default
    /// `--force`: revoke even when the safeguard refuses.
    public var force = false
    /// `--repair-invalid`: re-authenticate users whose grant Nylas lists as invalid.
    public var repairInvalid = false
    /// `--adopt-existing`: record existing grants of export users as granted. Automatic when
    /// the ledger holds no user of the provider yet.
    public var adoptExisting = false
    /// `--retry-resting`: also try the failed users that would sit this run out after failing
    /// with the same cause several runs in a row (see `Ledger.restingUsers`).
    public var retryResting = false
    /// `--retry-only`: the input lists users to retry (a `report --state failed` file), not the
    /// whole export: nobody is departed, users the ledger does not know are left alone, and the
    /// run is no baseline for the next night's shrink check. A `bulkgrant report` file is
    /// recognised by its header and read this way without the flag.
    public var retryOnly = false

    /// What the shrink safeguard compares like with like: runs of the same provider and
    /// organisation over the same `--domain` set. Two cron lines on one ledger, one per domain,
    /// each compare with their own last night.
    public var scope: String { normalisedDomains.sorted().joined(separator: ",") }

    /// `--domain` as every part of the run compares it (`InputSet.normaliseDomain`).
    public var normalisedDomains: Set<String> {
        Set(domains.map(InputSet.normaliseDomain).filter { !$0.isEmpty })
    }

    public init(inputPath: String, engine: EngineConfiguration) {
        self.inputPath = inputPath
        self.engine = engine
    }
}
