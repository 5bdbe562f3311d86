/// Everything one `bulkgrant run` needs besides the client and the ledger.
public struct RunOptions: Sendable {
    public var inputPath: String
    public var reader = InputReaderConfiguration()
    /// When not empty, only addresses in these domains are provisioned.
    public var domains: Set<String> = []
    public var engine: EngineConfiguration
    /// Options worth keeping in the ledger's `runs` row (never a secret).
    public var recordedOptions: [String: String] = [:]

    public init(inputPath: String, engine: EngineConfiguration) {
        self.inputPath = inputPath
        self.engine = engine
    }
}
