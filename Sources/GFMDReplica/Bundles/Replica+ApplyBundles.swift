import Dispatch
import GFMDBundle
import GFMDStore
import Synchronization
public import GFMDCore

extension Replica {
    /// Applies bundle files in order, each as ``applyBundle(_:fileName:sender:progress:)``
    /// does, reading and opening the next one (inflating it, reading its
    /// changes, checking its signatures) on another core while one is applied.
    ///
    /// The next file is opened against the trust this replica held before
    /// the current one is applied. When that fails, it is opened again once
    /// the current one is in, so that a bundle enrolling the next one's
    /// sender is not missed; each file's outcome is therefore the one it
    /// would have had alone, in the same order.
    ///
    /// - Parameters:
    ///   - count: how many files.
    ///   - read: reads file `index`, answering its bytes and the name to
    ///     record in the ledger; called once per file, on any thread.
    ///   - progress: told of the changes taken.
    ///   - outcome: told of each file's outcome, in order, on the caller's thread.
    public func applyBundles(
        _ count: Int, read: @escaping @Sendable (Int) throws -> (bytes: [UInt8], fileName: String?),
        progress: ProgressHandler? = nil, outcome: (Int, Result<BundleApplyOutcome, any Error>) -> Void
    ) {
        guard count > 0 else { return }
        var next = Self.startOpening(0, with: try? opening(), read: read)
        for index in 0..<count {
            let file = next.wait()
            if index + 1 < count { next = Self.startOpening(index + 1, with: try? opening(), read: read) }
            outcome(index, Result {
                let (bytes, fileName, opened) = try file.get()
                switch opened {
                case .success(let opened):
                    return try apply(opened, fileName: fileName, pinning: nil, progress: progress)
                case .failure:
                    // Opened before the file ahead of it was applied: opened again now, as alone.
                    return try applyBundle(bytes, fileName: fileName, progress: progress)
                }
            })
        }
    }

    /// A file read and opened on another thread.
    private typealias ReadAndOpened = Result<(bytes: [UInt8], fileName: String?, opened: Result<OpenedBundle, any Error>), any Error>

    /// Starts reading file `index` and opening it `with` what the replica
    /// holds now (nil when that could not be read: then it is opened when
    /// its turn comes). The work holds no reference to the replica, which
    /// is released as soon as its caller is done with it.
    private static func startOpening(_ index: Int, with opening: BundleOpening?,
                                     read: @escaping @Sendable (Int) throws -> (bytes: [UInt8], fileName: String?)) -> Background<ReadAndOpened> {
        Background {
            Result {
                let (bytes, fileName) = try read(index)
                return (bytes, fileName, Result {
                    guard let opening else { throw StoreError.notEnrolledYet }
                    return try opening.open(BundleEnvelope(reading: bytes))
                })
            }
        }
    }
}

/// Work started on a global queue, whose result is waited for.
private final class Background<Value: Sendable>: Sendable {
    private let group = DispatchGroup()
    private let result = Mutex<Value?>(nil)

    init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global(qos: .userInitiated).async(group: group) {
            let value = work()
            self.result.withLock { $0 = value }
        }
    }

    /// Waits for the work to finish, and answers its result.
    func wait() -> Value {
        group.wait()
        return result.withLock { $0! }
    }
}
