import GFMDBundle
import GFMDStore
public import GFMDCore

extension Replica {
    /// How long the bundles applied by ``applyBundles(_:read:progress:outcome:)``
    /// wait, at most, for the commit that makes them durable, in seconds.
    static let batchSeconds: Double = 1

    /// Applies bundle files in order, each as ``applyBundle(_:fileName:sender:progress:)``
    /// does, reading and opening the next one (inflating it, reading its
    /// changes, checking its signatures) on another core while one is applied.
    ///
    /// Each file is applied in a savepoint of a batch (``WriteBatch``), so
    /// a file that fails is undone alone, and the batch commits once a
    /// second and at the end: a page that several files change is then
    /// written once, not once per file. A file's outcome is reported once
    /// its batch has committed, so an outcome reported is durable; when the
    /// commit fails, each file of the batch is reported failed with it.
    ///
    /// The next file is opened against the trust this replica holds before
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
        var reported = 0
        do {
            try store.writeBatch { batch in
                var applied: [Result<BundleApplyOutcome, any Error>] = []
                var batchStart = ContinuousClock.now
                func commit() {
                    let committed = Result { try batch.commit() }
                    for result in applied {
                        outcome(reported, committed.flatMap { result })
                        reported += 1
                    }
                    applied = []
                    batchStart = .now
                }
                var next = Self.startOpening(0, with: try? opening(through: batch), read: read)
                for index in 0..<count {
                    let file = next.wait()
                    if index + 1 < count { next = Self.startOpening(index + 1, with: try? opening(through: batch), read: read) }
                    applied.append(Result {
                        let (bytes, fileName, opened) = try file.get()
                        // Opened before the file ahead of it was applied: when that failed, opened again now, as alone.
                        let bundle = try (try? opened.get()) ?? opening(through: batch).open(BundleEnvelope(reading: bytes))
                        return try apply(bundle, fileName: fileName, pinning: nil, through: batch, progress: progress)
                    })
                    ReleasedElsewhere.release(consume file)
                    if ContinuousClock.now - batchStart >= .seconds(Self.batchSeconds) { commit() }
                }
                commit()
            }
        } catch {
            for index in reported..<count { outcome(index, .failure(error)) }
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
