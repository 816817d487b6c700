import Foundation
public import GFMDCore
import GRDB
public import Logging

/// A replica's SQLite database: the change log, the merged state, pending and
/// rejected changes, and the ledger of bundles applied (DESIGN.md §7).
///
/// The database runs in WAL mode. Every write goes through ``write(_:)`` and is
/// one transaction: an apply interrupted at any point (even by `kill -9`)
/// leaves the replica as before or as after, never between.
public final class ReplicaStore: Sendable {
    private let pool: DatabasePool
    private let cache = RecordCache()
    /// Where the database lives.
    public let path: String
    let logger: Logger

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// - Throws: ``StoreError`` when the file cannot be opened or was written by a newer gfmd.
    public init(path: String, logger: Logger = Logger(label: "gfmd.store")) throws {
        self.path = path
        self.logger = logger
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with NORMAL sync: a commit survives a crash of gfmd, and an
            // interrupted transaction leaves nothing behind. A 64 MiB page cache
            // keeps the randomly ordered id indexes of a large log in memory, and
            // a 64 MiB WAL checkpoints pages that many applies touch only once.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            let migrator = StoreMigrations.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw StoreError(.newerSchema, "the replica at \(path) was written by a newer version of gfmd: update gfmd to open it")
            }
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "cannot open the replica database \(path): \(Self.describe(error))")
        }
    }

    /// Runs `body` in a read transaction that sees one consistent state.
    public func read<T>(_ body: (StoreReader) throws -> T) throws -> T {
        try wrap { try pool.read { db in try body(StoreReader(db: db)) } }
    }

    /// Runs `body` in one write transaction, rolled back entirely if `body` throws.
    public func write<T>(_ body: (StoreWriter) throws -> T) throws -> T {
        let loaded = LoadedRecords()
        let result = try wrap {
            try pool.write { db in try body(StoreWriter(db: db, logger: logger, cache: cache, loaded: loaded)) }
        }
        cache.put(loaded.records)
        if let trust = loaded.trust { cache.putTrust(trust) }
        return result
    }

    /// The merged state of record `id`, from the in-memory cache when it is
    /// current, else loaded (and kept in the cache when it is costly to load).
    public func record(_ id: RecordID) throws -> RecordState? {
        try wrap {
            try pool.read { db in
                if let cached = cache.peek(id), let heads = try StoredRecord.heads(of: id, in: db),
                   heads == cached.heads.sorted().concatenatedData {
                    return cached.state
                }
                guard let stored = try StoredRecord.load(id, from: db) else { return nil }
                cache.put([stored])
                return stored.state
            }
        }
    }

    private func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError(.database, "the replica database failed: \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}
