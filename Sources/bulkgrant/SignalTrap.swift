import Dispatch
import Foundation
import Provisioning

/// SIGINT and SIGTERM: the first stops admitting work and lets calls in flight finish and be
/// recorded; the second exits at once (the ledger's `in_flight` marks make that safe).
final class SignalTrap: @unchecked Sendable {
    private let control: RunControl
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var received = 0
    /// Set once the run has started, to say how much is left.
    var progress: RunProgress? {
        get { lock.withLock { _progress } }
        set { lock.withLock { _progress = newValue } }
    }
    private var _progress: RunProgress?

    init(control: RunControl) {
        self.control = control
    }

    func install() {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in self.handle(name) }
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

    private func handle(_ name: String) {
        let count = lock.withLock {
            received += 1
            return received
        }
        if count > 1 {
            Console.stderr("\nbulkgrant: second signal, exiting now; the next run looks up calls that were cut off\n")
            terminate(3)
        }
        Console.stderr("\nbulkgrant: \(name) received: finishing calls in flight (send it again to exit at once)\n")
        let control = self.control
        Task { await control.stop(.signal(name)) }
    }
}
