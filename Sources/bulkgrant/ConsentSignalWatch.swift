import Dispatch
import Foundation

/// SIGINT and SIGTERM while a consent command waits (for a redirect, or for a consent to
/// apply): the first one calls `onSignal`. `remove` puts the previous dispositions back, so a
/// `SignalTrap` installed later is the only handler.
final class ConsentSignalWatch: @unchecked Sendable {
    private let onSignal: @Sendable (String) -> Void
    private let lock = NSLock()
    private var sources: [DispatchSourceSignal] = []
    private var previous: [(Int32, (@convention(c) (Int32) -> Void)?)] = []
    private var _received: String?
    private var cancellers: [@Sendable () -> Void] = []

    /// The signal received, if any.
    var received: String? { lock.withLock { _received } }

    init(onSignal: @escaping @Sendable (String) -> Void = { _ in }) {
        self.onSignal = onSignal
    }

    /// Cancels `task` on the first signal, at once if one has already come.
    func cancelOnSignal<Success: Sendable>(_ task: Task<Success, Never>) {
        let already = lock.withLock {
            cancellers.append { task.cancel() }
            return _received != nil
        }
        if already { task.cancel() }
    }

    func install() {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            previous.append((number, signal(number, SIG_IGN)))
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                let first: [@Sendable () -> Void]? = lock.withLock {
                    guard _received == nil else { return nil }
                    _received = name
                    return cancellers
                }
                guard let first else { return }
                for cancel in first { cancel() }
                onSignal(name)
            }
            // The kernel drops a signal that is ignored and not yet registered with dispatch:
            // return only once the source is registered, so that no signal sent after this
            // returns (after the output that tells a person or a test to send one) is lost.
            let registered = DispatchSemaphore(value: 0)
            source.setRegistrationHandler { registered.signal() }
            source.resume()
            registered.wait()
            sources.append(source)
        }
    }

    func remove() {
        for source in sources { source.cancel() }
        sources = []
        for (number, handler) in previous { signal(number, handler) }
        previous = []
    }
}
