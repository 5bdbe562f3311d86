import Foundation

/// A process left running (a `bulkgrant sandbox`), whose standard output is read as it comes.
public final class BackgroundProcess: @unchecked Sendable {
    public let process = Process()
    private let lock = NSLock()
    private var output = Data()
    private var waiters: [(String, CheckedContinuation<Bool, Never>)] = []
    private let errPath: String

    public init(_ executable: String, _ arguments: [String], environment: [String: String], in directory: String) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        errPath = directory + "/.bg-stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            guard let self else { return }
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                self.wake(final: true)
            } else {
                self.lock.withLock { self.output.append(chunk) }
                self.wake(final: false)
            }
        }
        try process.run()
    }

    public var stdout: Data { lock.withLock { output } }
    public var stderr: Data { (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data() }

    private func wake(final: Bool) {
        let ready: [(CheckedContinuation<Bool, Never>, Bool)] = lock.withLock {
            let text = String(decoding: output, as: UTF8.self)
            var ready: [(CheckedContinuation<Bool, Never>, Bool)] = []
            waiters.removeAll { waiter in
                if text.contains(waiter.0) {
                    ready.append((waiter.1, true))
                    return true
                }
                if final {
                    ready.append((waiter.1, false))
                    return true
                }
                return false
            }
            return ready
        }
        for (continuation, found) in ready { continuation.resume(returning: found) }
    }

    /// Waits until standard output contains `text`; false if the process closed it first.
    public func waitForOutput(_ text: String) async -> Bool {
        await withCheckedContinuation { continuation in
            let now: Bool? = lock.withLock {
                if String(decoding: output, as: UTF8.self).contains(text) { return true }
                if !process.isRunning { return false }
                waiters.append((text, continuation))
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// Sends `signal` and waits for the exit.
    public func stop(_ signal: Int32 = SIGTERM) async -> Int32 {
        kill(process.processIdentifier, signal)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.process.waitUntilExit()
                continuation.resume()
            }
        }
        return process.terminationStatus
    }
}
