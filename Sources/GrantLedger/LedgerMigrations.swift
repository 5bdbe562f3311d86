import GRDB

/// The ledger's schema. Append-only: a shipped migration is never modified; a change is a new
/// migration below the others.
enum LedgerMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-users-runs-attempts") { db in
            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.create(table: "runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("started_at", .double).notNull()
                t.column("finished_at", .double)
                t.column("pid", .integer).notNull()
                t.column("input_path", .text)
                t.column("input_sha256", .text)
                t.column("options", .text)
                t.column("counts", .text)
                t.column("outcome", .text)
                t.column("exit_code", .integer)
            }
            try db.create(table: "users") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("provider", .text).notNull()
                t.column("email", .text).notNull()
                t.column("organisation", .text).notNull().defaults(to: "")
                t.column("state", .text).notNull()
                t.column("grant_id", .text)
                t.column("credential_id", .text)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("last_status", .integer)
                t.column("last_error_type", .text)
                t.column("last_error_message", .text)
                t.column("last_request_id", .text)
                t.column("first_seen_run", .integer)
                t.column("last_seen_run", .integer)
                t.column("updated_at", .double).notNull()
                t.uniqueKey(["provider", "email"])
            }
            try db.create(index: "users_state", on: "users", columns: ["state"])
            try db.create(table: "attempts") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("user_id", .integer).notNull().indexed()
                t.column("run_id", .integer).notNull()
                t.column("at", .double).notNull()
                t.column("call", .text).notNull()
                t.column("outcome", .text).notNull()
                t.column("status", .integer)
                t.column("request_id", .text)
                t.column("error_type", .text)
            }
        }
        // Nightly operations: the provider and export size of each run (the shrink safeguard
        // compares tonight's export with the last one), and an index for per-run questions
        // (API calls per status, users failing in several runs).
        migrator.registerMigration("v2-runs-provider-export-size") { db in
            try db.alter(table: "runs") { t in
                t.add(column: "provider", .text)
                t.add(column: "export_users", .integer)
            }
            try db.create(index: "attempts_run", on: "attempts", columns: ["run_id"])
        }
        // Onboarding and multi-organisation jobs: when each Microsoft credential's admin consent
        // was received (grants wait 5 minutes after it), and the organisation of each run, so
        // that the shrink safeguard compares an organisation's export with its own last one.
        migrator.registerMigration("v3-consents-run-organisation") { db in
            try db.create(table: "consents") { t in
                t.primaryKey("credential_id", .text)
                t.column("consented_at", .double).notNull()
                t.column("tenant", .text)
            }
            try db.alter(table: "runs") { t in
                t.add(column: "organisation", .text)
            }
            try db.create(index: "users_provider_organisation", on: "users", columns: ["provider", "organisation"])
        }
        // First-night failures: each user's failure cause (the catalogue's id, what reports
        // group by), how many runs in a row it failed with that cause and the last such run (a
        // user failing for the same reason night after night is tried less often), and what
        // bulkgrant learnt of each credential it created (the client id a fix must name). And the
        // scope of each run (its --domain set), so that the shrink safeguard compares a run with
        // the last run over the same domains.
        migrator.registerMigration("v4-failure-causes-credentials") { db in
            try db.alter(table: "runs") { t in
                t.add(column: "scope", .text)
            }
            try db.alter(table: "users") { t in
                t.add(column: "cause", .text)
                t.add(column: "cause_streak", .integer).notNull().defaults(to: 0)
                t.add(column: "failed_run", .integer)
            }
            try db.create(table: "credentials") { t in
                t.primaryKey("id", .text)
                t.column("provider", .text).notNull()
                t.column("name", .text)
                t.column("client_id", .text)
                t.column("client_email", .text)
                t.column("key_id", .text)
                t.column("tenant", .text)
                t.column("recorded_at", .double).notNull()
            }
        }
        return migrator
    }
}
