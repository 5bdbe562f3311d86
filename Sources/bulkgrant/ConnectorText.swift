import NylasAPI

/// How a connector reads on a terminal and in JSON; any setting named like a secret is masked.
enum ConnectorText {
    static func masked(_ connector: Connector) -> Connector {
        var connector = connector
        connector.settings = connector.settings.map(mask)
        return connector
    }

    static func details(_ connector: Connector) -> String {
        let connector = masked(connector)
        let rows: [(String, String)] = [
            ("provider", connector.provider),
            ("name", connector.name ?? "-"),
            ("credential", connector.activeCredentialId ?? "- (none active)"),
            ("scopes", (connector.scope ?? []).isEmpty ? "-" : (connector.scope ?? []).joined(separator: " ")),
            ("settings", connector.settings.map(\.compactDescription) ?? "-"),
        ]
        return rows.map { $0.0.padding(toLength: 12, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n") + "\n"
    }

    private static func mask(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var result: [String: JSONValue] = [:]
            for (key, value) in object {
                result[key] = key.lowercased().contains("secret") || key.lowercased().contains("password")
                    ? .string("[redacted]") : mask(value)
            }
            return .object(result)
        case .array(let values): return .array(values.map(mask))
        default: return value
        }
    }
}
