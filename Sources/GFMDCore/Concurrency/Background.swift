import Dispatch
import Synchronization

/// Work started on a global queue, whose result is waited for: what the
/// caller needs next, made on the other core while it works on the present
/// (the next bundle file opened while one is applied; the next commits of a
/// replay checked while the ones before are admitted).
package final class Background<Value: Sendable>: Sendable {
    private let group = DispatchGroup()
    private let result = Mutex<Value?>(nil)

    /// Starts `work`.
    package init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global(qos: .userInitiated).async(group: group) {
            let value = work()
            self.result.withLock { $0 = value }
        }
    }

    /// Waits for the work to finish, and answers its result.
    package func wait() -> Value {
        group.wait()
        return result.withLock { $0! }
    }
}
