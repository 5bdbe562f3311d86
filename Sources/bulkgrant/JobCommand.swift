import ArgumentParser

/// `bulkgrant job`: multi-organisation job files.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Check a multi-organisation job file; run it with 'bulkgrant run --job FILE'.",
        discussion: """
            A job file (TOML) lists organisations, each with its own credential and HR export, \
            and the settings they share. 'bulkgrant run --job job.toml' runs them all in one \
            process under one rate limit and one concurrency limit, in fair turns, with one \
            ledger that records each user's organisation. Each organisation has its own plan, \
            safeguard and summary; an organisation whose credential fails stops alone.

            Job-wide keys: ledger, rate (45), concurrency (64), max_attempts (5), \
            breaker_threshold (25), stop_after (3), stop_grace (10), revoke_departed (false), max_revoke ("10%"), \
            repair_invalid (false), adopt_existing (false), proxy ("http://[USER:PASSWORD@]HOST:PORT" \
            or "none"; --proxy wins over it, and it over $HTTPS_PROXY), report_html (none: the HTML \
            file that gets the ledger's morning report after each run, mode 0600).
            Per [[organisation]]: name, provider (google|microsoft), credential_id, input, \
            scopes (Google), domains, where, exclude, email_column, format (auto|csv|lines).
            Relative paths are relative to the job file's folder.

            Example (examples/job.toml):
              rate = 45
              ledger = "bulkgrant.sqlite"
              revoke_departed = true

              [[organisation]]
              name = "acme"
              provider = "google"
              credential_id = "2ff1b2c3-…"
              scopes = ["https://www.googleapis.com/auth/calendar"]
              input = "acme-hr.csv"
              where = ["Status=Active"]

            Examples:
              bulkgrant job check examples/job.toml
              bulkgrant run --job examples/job.toml --sandbox
              bulkgrant status --org acme
            """,
        subcommands: [JobCheckCommand.self]
    )
}
