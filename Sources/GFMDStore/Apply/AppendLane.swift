import Dispatch
import GRDB

/// Writes the rows an apply appends (log rows and body blocks) on another
/// core, while the apply goes on deciding the next changes.
///
/// An apply's decisions need the database only now and then (a record's
/// first load, a dependency from an earlier apply); the rows it appends are
/// never read back until the apply asks the database again. So the lane
/// gathers rows, hands each full batch to its queue, which binds and steps
/// them on the same connection, and the apply calls ``settle()`` before it
/// touches the database in any other way: the queue is waited for, the
/// rows still gathered are written there and then, and the first failure
/// is thrown. The connection is thus used by one thread at a time, in the
/// apply's order. (W2 at 250 delegations: the inserts and the packing of
/// body blocks were a quarter of the applying thread's time.)
///
/// An apply of fewer rows than a batch never leaves its thread.
final class AppendLane {
    /// A row to append.
    enum Row {
        /// A `change` row.
        case change(LogRow)
        /// A body block, packed where it is written.
        case block(id: Int64, bytes: [UInt8])
    }

    /// How many rows go to the queue at once.
    static let batchSize = 64

    private let writer: Writer
    private var gathered: [Row] = []
    /// Whether a batch was handed to the queue since the last settle.
    private var handedOff = false

    init(db: Database) throws {
        writer = Writer(
            change: try db.cachedStatement(sql: LogRow.insertSQL),
            block: try db.cachedStatement(sql: "INSERT INTO body_block(id, packed, size) VALUES (?, ?, ?)"))
        gathered.reserveCapacity(Self.batchSize)
    }

    /// Appends `row`: gathered, and handed to the queue with a full batch.
    func append(_ row: Row) {
        gathered.append(row)
        if gathered.count >= Self.batchSize { handOff() }
    }

    /// Hands the rows still gathered to the queue, when a batch went there
    /// since the last settle: for an apply with work of its own left before
    /// it settles (its records' rows are encoded while its last rows are
    /// written). The rows of an apply smaller than a batch stay here.
    func handOffRest() {
        if handedOff { handOff() }
    }

    private func handOff() {
        guard !gathered.isEmpty else { return }
        let rows = gathered
        gathered = []
        gathered.reserveCapacity(Self.batchSize)
        handedOff = true
        let writer = writer
        Self.queue.async { writer.write(rows) }
    }

    /// Writes every row appended so far; after it, the caller may use the
    /// database again.
    ///
    /// - Throws: the first error writing a row met (the rows after it are
    ///   not written: the apply fails, and its savepoint is rolled back).
    func settle() throws {
        wait()
        writer.write(gathered)
        gathered = []
        if let failure = writer.failure { throw failure }
    }

    /// Waits for the queue, writing nothing more: for an apply that failed,
    /// before its savepoint is rolled back.
    func wait() {
        guard handedOff else { return }
        Self.queue.sync {}
        handedOff = false
    }

    /// One queue for every lane: applies run one at a time per replica, and
    /// each waits for its own rows before its transaction ends.
    private static let queue = DispatchQueue(label: "gfmd.append-lane", qos: .userInitiated)

    /// The statements the rows are written with, and the first failure.
    ///
    /// Unchecked: used by one thread at a time, the lane's queue between a
    /// hand-off and the next ``AppendLane/wait()``, the applying thread
    /// otherwise. The statements bind and step through SQLite alone
    /// (`Statement.run`), never through GRDB's checks of the thread.
    private final class Writer: @unchecked Sendable {
        let change: Statement
        let block: Statement
        private(set) var failure: (any Error)?

        init(change: Statement, block: Statement) {
            self.change = change
            self.block = block
        }

        func write(_ rows: [Row]) {
            guard failure == nil else { return }
            do {
                for row in rows {
                    switch row {
                    case .change(let row):
                        try change.run(row.values)
                    case .block(let id, let bytes):
                        try block.run([id.databaseValue, PackedBlob.pack(bytes).databaseValue, bytes.count.databaseValue])
                    }
                }
            } catch {
                failure = error
            }
        }
    }
}
