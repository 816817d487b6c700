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
    /// How a store is opened.
    public enum Access: Sendable {
        /// Reads and writes (applies, local edits); the schema is brought up to date.
        case readWrite
        /// Reads only: nothing is ever written, not even the files SQLite
        /// keeps beside a database, so a copy on read-only media, or in a
        /// folder this user may not write, can be read.
        case readOnly
    }

    /// The database (a read-only queue for ``Access/readOnly``).
    let pool: any DatabaseWriter
    let cache = RecordCache()
    /// Where the database lives.
    public let path: String
    let logger: Logger

    /// How long, by default, a write waits for another gfmd process writing
    /// the same replica (an apply of a large bundle) before it gives up, in seconds.
    public static let defaultLockTimeout: Double = 120
    /// How long a write waits for another process's write, in seconds.
    let lockTimeout: Double

    /// Opens the database at `path`: for `.readWrite`, creating it if needed
    /// and bringing its schema up to date.
    ///
    /// - Parameters:
    ///   - lockTimeout: how long a write waits for another process's write, in seconds.
    ///   - maximumPages: a bound on the database's size in pages, for tests
    ///     that fill it (SQLite then reports the disk full).
    /// - Throws: ``StoreError`` when the file cannot be opened, was written by
    ///   a newer gfmd, or (read-only) by an older one.
    public init(path: String, access: Access = .readWrite, logger: Logger = Logger(label: "gfmd.store"),
                lockTimeout: Double = ReplicaStore.defaultLockTimeout, maximumPages: Int? = nil) throws {
        self.path = path
        self.logger = logger
        self.lockTimeout = lockTimeout
        if access == .readOnly {
            pool = try Self.openReadOnly(path, lockTimeout: lockTimeout)
            return
        }
        var configuration = Configuration()
        // The schema declares its foreign keys, for auditors and for
        // `gfmd verify`, which checks them; SQLite does not enforce them while
        // gfmd writes: the checks on each change row (its commit, its bundle)
        // cost 7 % of W2's merge (4.74 s against 4.39 s), and gfmd always
        // writes a row's parents first.
        configuration.foreignKeysEnabled = false
        configuration.busyMode = .timeout(lockTimeout)
        configuration.prepareDatabase { db in
            if let maximumPages { try db.execute(sql: "PRAGMA max_page_count = \(maximumPages)") }
            // WAL with NORMAL sync: a commit survives a crash of gfmd, and an
            // interrupted transaction leaves nothing behind. A 16 MiB page cache
            // per connection: the kernel's cache holds the file's hot pages
            // anyway, and W2 merged no faster with 64 MiB (8.4 s against 8.2 s),
            // while every connection's cache counted in the hub's memory
            // (`gfmd verify` 189 MB against 78 MB). A 64 MiB WAL checkpoints
            // pages that many applies touch only once.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -16384")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
            // A batch applies each bundle file in a savepoint, which keeps the
            // pages it changes in a sub-journal: in memory (the pages of one
            // bundle), not in a temporary file (6 MB of W2's 80 MB written).
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
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

    /// Opens `path` for reading only. A database in a folder this process
    /// cannot write (a copy handed to an auditor, a read-only medium) is
    /// opened as immutable: SQLite then creates no lock or WAL files beside
    /// it, and assumes nobody writes it meanwhile.
    private static func openReadOnly(_ path: String, lockTimeout: Double) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(lockTimeout)
        let folder = (path as NSString).deletingLastPathComponent
        let writable = access(folder.isEmpty ? "." : folder, W_OK) == 0 && access(path, W_OK) == 0
        let location = writable ? path : "file:" + (URL(fileURLWithPath: path).path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path) + "?immutable=1"
        do {
            let queue = try DatabaseQueue(path: location, configuration: configuration)
            let migrator = StoreMigrations.migrator
            try queue.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw StoreError(.newerSchema, "the replica at \(path) was written by a newer version of gfmd: update gfmd to open it")
                }
            }
            guard try queue.read(migrator.hasCompletedMigrations) else {
                // An older gfmd's replica: brought up to date where it may be written.
                guard writable else {
                    throw StoreError(.database, "the replica at \(path) was written by an older gfmd: run any gfmd command on it where it may be written (a copy in a folder of yours) to bring it up to date")
                }
                try migrator.migrate(try DatabaseQueue(path: path))
                return try openReadOnly(path, lockTimeout: lockTimeout)
            }
            return queue
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "cannot open the replica database \(path) for reading: \(Self.describe(error))")
        }
    }

    /// Runs `body` in a read transaction that sees one consistent state.
    public func read<T>(_ body: (StoreReader) throws -> T) throws -> T {
        try wrap { try pool.read { db in try body(StoreReader(db: db)) } }
    }

    /// Runs `body` in one write transaction, rolled back entirely if `body` throws.
    public func write<T>(_ body: (StoreWriter) throws -> T) throws -> T {
        let loaded = LoadedRecords()
        let result: T
        do {
            result = try wrap {
                try pool.write { db in try body(StoreWriter(db: db, logger: logger, cache: cache, loaded: loaded)) }
            }
        } catch {
            cache.sites.endTransaction(committed: false)
            throw error
        }
        cache.sites.endTransaction(committed: true)
        keep(loaded)
        return result
    }

    /// Keeps in memory the records and trust index a write loaded.
    func keep(_ loaded: LoadedRecords) {
        cache.put(loaded.records)
        if let trust = loaded.trust { cache.putTrust(trust) }
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

    /// Runs `body`, turning SQLite's errors into what a user can act on.
    /// Every failing write is rolled back whole, so each message says that
    /// nothing changed.
    func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_FULL:
                throw StoreError(.diskFull, "the disk holding \(path) is full: nothing was changed; free some space and try again")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw StoreError(.locked, "another gfmd process has been writing to this replica for over \(lockTimeout >= 10 ? "\(Int(lockTimeout))" : "\((lockTimeout * 10).rounded() / 10)") s (applying a large bundle?): nothing was changed; try again once it has finished")
            case .SQLITE_READONLY:
                throw StoreError(.readOnly, "this replica may only be read here (\(path) or its folder is read-only): nothing was changed")
            case .SQLITE_IOERR:
                throw StoreError(.database, "the disk failed while reading or writing \(path) (\(Self.describe(error))): nothing was changed")
            default:
                throw StoreError(.database, "the replica database failed: \(Self.describe(error))")
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}
