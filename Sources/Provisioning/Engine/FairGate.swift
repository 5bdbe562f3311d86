/// The job-wide concurrency limit, handed out in turns between organisations: when a slot
/// frees and several organisations wait, the one after the last one served gets it. Without
/// turns a 40,000-user organisation would fill every slot and a 30-user one would wait until
/// morning.
public actor FairGate {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    private let slots: Int
    private var inUse = 0
    /// Waiters per organisation, in arrival order.
    private var waiting: [Int: [Waiter]] = [:]
    private var nextID = 0
    /// The organisation that got the last slot handed over, for round-robin order.
    private var lastServed = -1

    public init(slots: Int) {
        self.slots = max(1, slots)
    }

    /// Waits for a slot for `organisation` (an index: 0, 1, 2…). Returns false, holding no
    /// slot, when the task was cancelled while it waited.
    public func acquire(_ organisation: Int) async -> Bool {
        if inUse < slots {
            inUse += 1
            return true
        }
        let id = nextID
        nextID += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else {
                    waiting[organisation, default: []].append(Waiter(id: id, continuation: continuation))
                }
            }
        } onCancel: {
            Task { await self.cancel(id, organisation) }
        }
    }

    /// Gives a slot back; the next organisation in turn that waits gets it.
    public func release() {
        let candidates = waiting.filter { !$0.value.isEmpty }.keys.sorted()
        guard !candidates.isEmpty else {
            inUse -= 1
            return
        }
        let next = candidates.first { $0 > lastServed } ?? candidates[0]
        lastServed = next
        waiting[next]!.removeFirst().continuation.resume(returning: true)
    }

    private func cancel(_ id: Int, _ organisation: Int) {
        guard let index = waiting[organisation]?.firstIndex(where: { $0.id == id }) else { return }
        waiting[organisation]!.remove(at: index).continuation.resume(returning: false)
    }

    /// Slots held now.
    public var held: Int { inUse }

    /// Tasks waiting for a slot.
    public var waiterCount: Int { waiting.values.reduce(0) { $0 + $1.count } }
}
