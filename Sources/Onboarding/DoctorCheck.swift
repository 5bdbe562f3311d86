/// One line of `bulkgrant doctor`: what was checked, how it went, and the fix when it failed.
public struct DoctorCheck: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable {
        /// ✓
        case pass
        /// ✗
        case fail
        /// Not checked: an earlier check failed, or an option it needs was not given (`detail`
        /// says which).
        case skip

        /// The mark the line starts with.
        public var symbol: String {
            switch self {
            case .pass: return "✓"
            case .fail: return "✗"
            case .skip: return "-"
            }
        }
    }

    /// A stable name for scripts reading `--json`: `api_key.present`, `ledger.lock`, …
    public var id: String
    /// What is checked, as a person reads it.
    public var title: String
    public var status: Status
    /// What was found.
    public var detail: String
    /// What to do, for a failure.
    public var fix: String?

    public init(id: String, title: String, status: Status, detail: String, fix: String? = nil) {
        self.id = id
        self.title = title
        self.status = status
        self.detail = detail
        self.fix = fix
    }

    static func pass(_ id: String, _ title: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(id: id, title: title, status: .pass, detail: detail)
    }

    static func fail(_ id: String, _ title: String, _ detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(id: id, title: title, status: .fail, detail: detail, fix: fix)
    }

    static func skip(_ id: String, _ title: String, _ why: String) -> DoctorCheck {
        DoctorCheck(id: id, title: title, status: .skip, detail: "skipped: \(why)")
    }

    /// `✓ title: detail`, or `✗ title: detail; fix: …`, on one line.
    public var line: String {
        "\(status.symbol) \(title): \(detail)" + (fix.map { " → fix: \($0)" } ?? "")
    }
}
