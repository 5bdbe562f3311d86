/// Scripted faults: exact, one-shot faults for the next calls to a path, so that a test can
/// say what happens to one call rather than to a share of them.
extension SandboxState {
    /// Queues `faults` for the next calls to `path`, a path template as the stats name it
    /// (`/v3/connect/custom`, `/v3/grants`, `/v3/grants/{grantId}`, …). Each call with the right
    /// key takes the first fault left, before the rate limit and the fault plan are consulted;
    /// once the queue is empty, calls are served as usual again.
    public func script(_ faults: [ScriptedFault], for path: String) {
        scripts[path, default: []].append(contentsOf: faults)
    }

    /// Faults still queued for `path`: 0 once every scripted fault has fired.
    public func scriptedRemaining(for path: String) -> Int {
        scripts[path]?.count ?? 0
    }

    /// Takes the next scripted fault for `path`, counting it as injected.
    func takeScripted(path: String) -> ScriptedFault? {
        guard var queue = scripts[path], !queue.isEmpty else { return nil }
        let fault = queue.removeFirst()
        scripts[path] = queue.isEmpty ? nil : queue
        if fault == .pass { return nil }
        faultCounts[fault.name, default: 0] += 1
        if case .status(429, _) = fault { rateLimited += 1 }
        return fault
    }
}
