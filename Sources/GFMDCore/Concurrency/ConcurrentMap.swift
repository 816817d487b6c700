import Dispatch
import Foundation
import Synchronization

extension Array where Element: Sendable {
    /// `transform` applied to every element on every core at once, the
    /// results in the elements' order.
    ///
    /// The elements are split into a few parts per core, so that parts of
    /// uneven cost even out. For independent work that dominates its caller:
    /// checking a bundle's signatures, encoding the records an apply wrote.
    package func concurrentMap<T: Sendable>(_ transform: @Sendable (Element) -> T) -> [T] {
        guard count > 1 else { return map(transform) }
        let parts = Swift.min(count, ProcessInfo.processInfo.activeProcessorCount * 4)
        let results = Mutex([T?](repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (count * part / parts)..<(count * (part + 1) / parts)
            let mapped = range.map { transform(self[$0]) }
            results.withLock { results in
                for (index, result) in zip(range, mapped) { results[index] = result }
            }
        }
        return results.withLock { $0.map { $0! } }
    }
}
