import Foundation
import GRDB

/// Where a write runs: a transaction of its own (``ReplicaStore``) or a
/// savepoint of a batch (``WriteBatch``). Either way it is whole or absent.
public protocol StoreWriting {
    /// Runs `body` with a writer, undoing all it wrote if it throws.
    func write<T>(_ body: (StoreWriter) throws -> T) throws -> T
}

extension ReplicaStore: StoreWriting {}

/// Several writes committed together: each runs in a savepoint, so one that
/// fails is undone alone, and they become durable together at ``commit()``.
///
/// A transaction's cost is mostly its pages: every page it changes is
/// written to the WAL at its commit, and a bundle's changes land on pages of
/// the log's hash index spread across the whole index. Bundles applied one
/// transaction each write those pages again and again; a batch writes each
/// once (W2, `Protocol/storage.md`). Nothing a batch wrote is durable, or
/// seen by another connection, before ``commit()``: a caller reports an
/// outcome only once its batch has committed.
///
/// Made by ``ReplicaStore/writeBatch(_:)``, on its writer connection; other
/// processes may write between two commits.
public final class WriteBatch: StoreWriting {
    private let db: Database
    private let store: ReplicaStore
    /// Why the transaction under way was lost (SQLite rolls a whole
    /// transaction back on some errors, a full disk among them), if it was.
    private var lost: (any Error)?

    init(db: Database, store: ReplicaStore) {
        self.db = db
        self.store = store
    }

    /// Runs `body` in a savepoint of the batch's transaction, starting one if
    /// none is under way; when `body` throws, what it wrote is undone and the
    /// batch's earlier writes are kept.
    public func write<T>(_ body: (StoreWriter) throws -> T) throws -> T {
        try store.wrap {
            if !db.isInsideTransaction {
                try db.beginTransaction(.immediate)
            }
            var result: T?
            let loaded = LoadedRecords()
            do {
                try db.inSavepoint {
                    result = try body(StoreWriter(db: db, logger: store.logger, cache: store.cache, loaded: loaded))
                    return .commit
                }
            } catch {
                // What the undone write noted of the sites may no longer hold:
                // forgotten, as after a transaction rolled back.
                store.cache.sites.endTransaction(committed: false)
                if !db.isInsideTransaction { lost = error }
                throw error
            }
            // Kept at once, for the next write of the batch: the cache holds a
            // record only while its heads are those of the database its
            // reader sees, so what the batch has not committed serves the
            // batch alone, and nothing once it is undone.
            store.keep(loaded)
            return result!
        }
    }

    /// Makes the writes since the last commit durable.
    ///
    /// - Throws: the error that lost them, when SQLite rolled their
    ///   transaction back, or the commit's own: none of them is then kept.
    public func commit() throws {
        defer { lost = nil }
        if let lost { try store.wrap { throw lost } }
        guard db.isInsideTransaction else { return }
        do {
            try store.wrap { try db.commit() }
        } catch {
            if db.isInsideTransaction { try? db.rollback() }
            store.cache.sites.endTransaction(committed: false)
            throw error
        }
        store.cache.sites.endTransaction(committed: true)
    }

    /// Undoes the writes since the last commit.
    func rollback() {
        if db.isInsideTransaction { try? db.rollback() }
        store.cache.sites.endTransaction(committed: false)
        lost = nil
    }
}

extension ReplicaStore {
    /// Runs `body` with a batch of writes on the writer connection (see
    /// ``WriteBatch``), committing what it leaves uncommitted when it
    /// returns and undoing it when it throws.
    ///
    /// Within `body`, write through the batch only: the batch holds the
    /// writer connection, which ``write(_:)`` would ask for again (GRDB
    /// refuses that as a programming error). Reads (``read(_:)``) see what
    /// was committed, not the batch.
    public func writeBatch<T>(_ body: (WriteBatch) throws -> T) throws -> T {
        try wrap {
            try pool.writeWithoutTransaction { db in
                let batch = WriteBatch(db: db, store: self)
                do {
                    let result = try body(batch)
                    try batch.commit()
                    return result
                } catch {
                    batch.rollback()
                    throw error
                }
            }
        }
    }
}
