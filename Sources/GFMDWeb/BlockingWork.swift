package import Dispatch

/// Runs blocking replica work (SQLite) on a dispatch queue, never on the
/// cooperative threads that serve connections.
package enum BlockingWork {
    package static func run<T: Sendable>(on queue: DispatchQueue, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
