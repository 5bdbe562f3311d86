import Foundation

/// Headless Chromium, as the HTML report's tests drive it: a fresh profile per call, no
/// extension, no background service, and every host name unresolvable, so that nothing the
/// page asks for can leave the machine (and the net log says whether it asked).
struct Chromium {
    /// The browser binary: `BULKGRANT_CHROMIUM`, else Debian's (without its launcher, which
    /// adds extensions), else one on the usual paths.
    static let binary: String? = {
        var candidates = [
            ProcessInfo.processInfo.environment["BULKGRANT_CHROMIUM"] ?? "",
            "/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/Applications/Chromium.app/Contents/MacOS/Chromium",
        ]
        candidates.removeAll { $0.isEmpty }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var missing: String {
        "headless Chromium is needed by this test: apt-get install -y chromium (.ci/run installs it), or set BULKGRANT_CHROMIUM to a Chromium binary"
    }

    let directory: String

    /// Runs the browser on `page` with `arguments` added; returns its result.
    private func run(_ page: String, _ arguments: [String]) async throws -> ProcessResult {
        guard let binary = Self.binary else { throw TestFailure(Self.missing) }
        let profile = directory + "/chromium-profile-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let base = [
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)", "--no-first-run",
            "--disable-extensions", "--disable-sync", "--disable-background-networking", "--disable-component-update",
            "--disable-default-apps", "--hide-scrollbars", "--force-device-scale-factor=1",
            // Nothing resolves: a request the page makes fails here and is only logged.
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ]
        let result = try await runProcess(
            binary, base + arguments + [URL(fileURLWithPath: page).absoluteString], in: directory)
        guard result.status == 0 else { throw TestFailure("chromium failed on \(page):\n\(result.transcript)") }
        return result
    }

    /// The page's DOM after it loaded (and after any script it could run).
    func dumpDOM(_ page: String) async throws -> String {
        try await run(page, ["--dump-dom"]).stdout
    }

    /// A PNG of the page at `width` × `height` CSS pixels; returns its bytes.
    func screenshot(_ page: String, width: Int, height: Int) async throws -> Data {
        let png = directory + "/shot-\(UUID().uuidString).png"
        defer { try? FileManager.default.removeItem(atPath: png) }
        _ = try await run(page, ["--screenshot=\(png)", "--window-size=\(width),\(height)"])
        return try Data(contentsOf: URL(fileURLWithPath: png))
    }

    /// The URLs the page itself asked the network for while it loaded, from Chromium's net
    /// log. The browser's own background requests (its updater, sign-in) are not the page's:
    /// they are told apart by the network isolation key, which names the page's origin.
    func pageRequests(_ page: String) async throws -> [String] {
        let log = directory + "/netlog-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: log) }
        _ = try await run(page, ["--log-net-log=\(log)", "--dump-dom"])
        let data = try Data(contentsOf: URL(fileURLWithPath: log))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let constants = root["constants"] as? [String: Any],
            let types = constants["logEventTypes"] as? [String: Int],
            let startJob = types["URL_REQUEST_START_JOB"],
            let events = root["events"] as? [[String: Any]]
        else { throw TestFailure("the net log has an unknown shape") }
        return events.compactMap { event -> String? in
            guard event["type"] as? Int == startJob, let params = event["params"] as? [String: Any],
                let url = params["url"] as? String
            else { return nil }
            let key = params["network_isolation_key"] as? String ?? ""
            let site = params["site_for_cookies"] as? String ?? ""
            return key.contains("file://") || site.contains("file://") ? url : nil
        }
    }
}

/// The text a reader sees of some markup: tags dropped, the entities Chromium writes decoded.
func visibleText(_ markup: String) -> String {
    var text = markup.replacingOccurrences(of: "<style>[^<]*</style>", with: " ", options: .regularExpression)
    text = text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
    for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&")] {
        text = text.replacingOccurrences(of: entity, with: character)
    }
    return text.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
}

/// The markup of the element whose opening tag matches `opening` (a regex), up to `closing`.
func element(_ markup: String, _ opening: String, closing: String) -> String? {
    guard let start = markup.range(of: opening, options: .regularExpression),
        let end = markup.range(of: closing, range: start.upperBound..<markup.endIndex)
    else { return nil }
    return String(markup[start.lowerBound..<end.upperBound])
}

/// The numbers of an element's `data-k` cells, by key (thousands separators removed).
func numbers(_ markup: String) -> [String: Int] {
    var result: [String: Int] = [:]
    let pattern = try! NSRegularExpression(pattern: #"data-k="([a-z_]+)"[^>]*>([0-9,]+)<"#)
    for match in pattern.matches(in: markup, range: NSRange(markup.startIndex..., in: markup)) {
        guard let key = Range(match.range(at: 1), in: markup), let value = Range(match.range(at: 2), in: markup) else {
            continue
        }
        result[String(markup[key])] = Int(markup[value].replacingOccurrences(of: ",", with: ""))
    }
    return result
}
