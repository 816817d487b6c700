import Foundation
import GFMDCore
import Synchronization

/// Records kept in memory between applies in one process, so that a session
/// of many commits to a long text neither reloads nor replays it each time;
/// and the trust index, so that an apply does not decode every certificate.
///
/// An entry is taken out while an apply works on it (so the apply owns it and
/// modifies it in place) and put back once its write succeeded (its
/// transaction committed, or its savepoint of a ``WriteBatch`` was released);
/// it is used only while its heads still match those of the database as the
/// reader sees it, so neither a write by another process nor one not
/// committed (or undone) is mistaken for it. It also keeps what each site holds
/// (``SiteActivity``).
final class RecordCache: Sendable {
    /// What each site holds, for deltas.
    let sites = SiteActivity()
    private let entries = Mutex<[RecordID: StoredRecord]>([:])
    private let trust = Mutex<TrustIndex?>(nil)
    private let capacity: Int

    init(capacity: Int = 16) {
        self.capacity = capacity
    }

    /// Removes and returns the entry for `id`, if any.
    func take(_ id: RecordID) -> StoredRecord? {
        entries.withLock { $0.removeValue(forKey: id) }
    }

    /// Removes and returns the trust index, if any (checked with ``TrustIndex/current(_:db:root:)``).
    func takeTrust() -> TrustIndex? {
        trust.withLock { index in
            defer { index = nil }
            return index
        }
    }

    /// Keeps the trust index of a transaction that committed.
    func putTrust(_ index: TrustIndex) {
        trust.withLock { $0 = index }
    }

    /// A copy of the entry for `id`, left in place.
    func peek(_ id: RecordID) -> StoredRecord? {
        entries.withLock { $0[id] }
    }

    /// Whether `record` is costly to load (large, or with a tail to replay),
    /// and so kept.
    static func worthKeeping(_ record: StoredRecord) -> Bool {
        record.checkpointSize >= StoredRecord.smallRecordBytes || record.tailChanges > 0
    }

    /// Keeps `records` that are costly to load.
    func put(_ records: [StoredRecord]) {
        let worthKeeping = records.filter(Self.worthKeeping)
        guard !worthKeeping.isEmpty else { return }
        entries.withLock { entries in
            for record in worthKeeping {
                if entries.count >= capacity, entries[record.state.id] == nil, let victim = entries.keys.first {
                    entries.removeValue(forKey: victim)
                }
                entries[record.state.id] = record
            }
        }
    }
}

extension StoredRecord: @unchecked Sendable {}
