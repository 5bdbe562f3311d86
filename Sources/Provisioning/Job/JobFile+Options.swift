extension JobFile {
    /// The run options of one organisation, job-wide settings included.
    public func runOptions(for organisation: Organisation, apiIdentity: String) throws -> RunOptions {
        var engine = EngineConfiguration(provider: organisation.provider, credentialID: organisation.credentialID)
        engine.scopes = organisation.scopes
        engine.concurrency = concurrency
        engine.rate = rate
        engine.maxAttempts = maxAttempts
        engine.breakerThreshold = breakerThreshold
        engine.stopAfter = stopAfter
        engine.stopGrace = stopGrace
        var options = RunOptions(inputPath: organisation.input, engine: engine)
        options.organisation = organisation.name
        options.reader.format = organisation.format
        options.reader.emailColumn = organisation.emailColumn
        options.reader.filters =
            try organisation.whereFilters.map { try RowFilter(parsing: $0, kind: .where) }
            + organisation.excludeFilters.map { try RowFilter(parsing: $0, kind: .exclude) }
        options.domains = Set(organisation.domains)
        options.revokeDeparted = revokeDeparted
        options.maxRevoke = maxRevoke
        options.repairInvalid = repairInvalid
        options.adoptExisting = adoptExisting
        options.recordedOptions = [
            "job": path, "concurrency": String(concurrency), "rate": String(rate),
            "max_attempts": String(maxAttempts), "credential_id": organisation.credentialID,
            "scopes": organisation.scopes.joined(separator: " "), "api": apiIdentity,
            "revoke_departed": String(revokeDeparted), "max_revoke": maxRevoke.description,
            "repair_invalid": String(repairInvalid), "adopt_existing": String(adoptExisting),
            "where": organisation.whereFilters.joined(separator: " | "),
            "exclude": organisation.excludeFilters.joined(separator: " | "),
        ]
        return options
    }

}
