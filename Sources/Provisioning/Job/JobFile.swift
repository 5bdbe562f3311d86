import Foundation
import NylasAPI

/// A multi-organisation job: several organisations, each with its own credential and HR
/// export, provisioned by one process under one rate limit (Nylas's limit is per
/// application, not per organisation).
public struct JobFile: Sendable {
    /// Where the file was read from; relative paths in it are relative to its folder.
    public var path: String
    /// The ledger shared by every organisation (default: bulkgrant.sqlite beside the job file).
    public var ledger: String
    public var rate = EngineConfiguration.defaults.rate
    public var concurrency = EngineConfiguration.defaults.concurrency
    public var maxAttempts = EngineConfiguration.defaults.maxAttempts
    public var breakerThreshold = EngineConfiguration.defaults.breakerThreshold
    public var stopAfter = EngineConfiguration.defaults.stopAfter
    public var stopGrace = EngineConfiguration.defaults.stopGrace
    public var revokeDeparted = false
    public var maxRevoke = RevocationLimit.default
    public var repairInvalid = false
    public var adoptExisting = false
    /// The HTTP proxy of every call, as written (`none` for direct); nil leaves it to
    /// `--proxy` and the environment. `--proxy` wins over it.
    public var proxy: String?
    /// Where to write the ledger's morning report (HTML) after each run of the job; nil: none.
    public var reportHTML: String?
    public var organisations: [Organisation] = []
    /// Settings the runner adds to every organisation's recorded options (the proxy actually
    /// used, redacted; the CA file): the ledger's `runs` row says how the API was reached.
    public var recordedExtras: [String: String] = [:]

    public init(path: String, ledger: String) {
        self.path = path
        self.ledger = ledger
    }

    /// One organisation of the job.
    public struct Organisation: Sendable, Hashable {
        /// Unique in the job; recorded with each of its users in the ledger.
        public var name: String
        public var provider: Provider
        public var credentialID: String
        public var scopes: [String] = []
        /// The HR export, resolved against the job file's folder.
        public var input: String
        public var domains: [String] = []
        /// `Column=Value[,Value]` rows must match (all of them).
        public var whereFilters: [String] = []
        /// `Column=Value[,Value]` rows must not match.
        public var excludeFilters: [String] = []
        public var emailColumn: String?
        public var format: InputFormat = .auto

        public init(name: String, provider: Provider, credentialID: String, input: String) {
            self.name = name
            self.provider = provider
            self.credentialID = credentialID
            self.input = input
        }
    }

    /// Reads and validates a job file. Throws `JobFileError` listing every problem.
    public static func load(path: String) throws -> JobFile {
        let text: String
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw JobFileError(
                code: .unreadable, path: path,
                problems: ["no such file; check the path (examples/job.toml shows the format)"])
        }
        if isDirectory.boolValue {
            throw JobFileError(code: .unreadable, path: path, problems: ["is a folder; name the job file inside it"])
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw JobFileError(code: .unreadable, path: path, problems: ["is not UTF-8 text; save it as UTF-8"])
            }
            text = decoded
        } catch let error as JobFileError {
            throw error
        } catch {
            throw JobFileError(
                code: .unreadable, path: path,
                problems: ["cannot be read (\((error as NSError).localizedDescription)); check the path and its permissions"])
        }
        return try parse(text, path: path)
    }
}
