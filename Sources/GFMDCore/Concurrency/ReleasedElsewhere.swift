import Dispatch

/// Frees what a caller is done with on another core: a bundle applied
/// holds thousands of small allocations (changes, their operations and
/// bodies), and freeing them on the thread that applies the next one took
/// 2.8 % of that thread's time in a W2 merge (`perf`, 250 delegations).
package enum ReleasedElsewhere {
    /// Drops `value` on a global queue. The caller gives up its last
    /// reference: what `value` refers to must not be used by anyone while it
    /// is freed, and its deinitialisers must touch nothing that is not
    /// thread-safe (reference counts are).
    package static func release<Value>(_ value: consuming Value) {
        let box = Box(value)
        DispatchQueue.global(qos: .utility).async { box.drop() }
    }

    /// Carries the value to the queue; only the queue touches it after.
    private final class Box<Value>: @unchecked Sendable {
        private var value: Value?
        init(_ value: consuming Value) { self.value = value }
        func drop() { value = nil }
    }
}
