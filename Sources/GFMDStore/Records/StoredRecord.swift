import Foundation
import GFMDCore
import GRDB

/// A record as the database holds it: a checkpoint of its merged state, and
/// the changes applied since (its *tail*), replayed when it is loaded.
///
/// Small records are checkpointed on every apply. A record with a long text
/// is checkpointed only when its tail grows to half the checkpoint's size, so
/// a session of many small edits does not rewrite the whole text each time,
/// while loading never replays more than that half.
struct StoredRecord {
    var state: RecordState
    var heads: Set<ChangeHash>
    /// Bytes of the checkpoint's encoding (unpacked).
    var checkpointSize: Int
    /// The last change sequence number the checkpoint includes.
    var checkpointSequence: Int64
    /// Bytes of the changes applied since the checkpoint.
    var tailBytes: Int
    /// How many changes were applied since the checkpoint.
    var tailChanges: Int
    /// The sequence number of the latest change applied to the record.
    var lastSequence: Int64

    /// Records smaller than this are checkpointed on every apply.
    static let smallRecordBytes = 8192
    /// A tail longer than this many changes is folded into a checkpoint.
    static let maximumTailChanges = 512

    /// A record just created (not yet in the database).
    init(creating state: RecordState) {
        self.state = state
        heads = []
        checkpointSize = 0
        checkpointSequence = 0
        tailBytes = 0
        tailChanges = 0
        lastSequence = 0
    }

    private init(state: RecordState, heads: Set<ChangeHash>, checkpointSize: Int, checkpointSequence: Int64,
                 tailBytes: Int, tailChanges: Int, lastSequence: Int64) {
        self.state = state
        self.heads = heads
        self.checkpointSize = checkpointSize
        self.checkpointSequence = checkpointSequence
        self.tailBytes = tailBytes
        self.tailChanges = tailChanges
        self.lastSequence = lastSequence
    }

    /// Whether the next write should rewrite the checkpoint.
    ///
    /// A record with element labels is always checkpointed: its changes
    /// apply as the element ids their causal past names resolve
    /// (`RecordState/labelling(of:hash:concurrent:)`), which a tail replay
    /// in log order does not know.
    var needsCheckpoint: Bool {
        checkpointSize < Self.smallRecordBytes || tailBytes * 2 >= checkpointSize || tailChanges >= Self.maximumTailChanges
            || !state.header.labels.isEmpty
    }

    /// Notes that `change`, stored with sequence number `sequence`, was applied.
    mutating func noteApplied(_ change: EncodedChange, sequence: Int64) {
        for dependency in change.change.dependencies { heads.remove(dependency) }
        heads.insert(change.hash)
        tailBytes += change.bytes.count
        tailChanges += 1
        lastSequence = max(lastSequence, sequence)
    }

    /// The heads blob of the record row, as stored.
    static func heads(of id: RecordID, in db: Database) throws -> Data? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT heads FROM record WHERE id = ?"), arguments: [id.data])
    }

    /// Loads record `id`: its checkpoint, then its tail replayed, its
    /// bodies read with `bodies` (during an apply, the apply's own reader).
    static func load(_ id: RecordID, from db: Database, bodies: LogBodies? = nil) throws -> StoredRecord? {
        let statement = try db.cachedStatement(sql: """
            SELECT state, state_size, heads, state_seq, tail_bytes, tail_changes FROM record WHERE id = ?
            """)
        guard let row = try Row.fetchOne(statement, arguments: [id.data]) else { return nil }
        let size: Int = row[1]
        var record = StoredRecord(
            state: try StoreReader.decodeState(row[0], size: size, id: id), heads: Set(try [Hash256](concatenated: row[2])),
            checkpointSize: size, checkpointSequence: row[3], tailBytes: row[4], tailChanges: row[5],
            lastSequence: row[3])
        if record.tailChanges > 0 {
            let bodies = bodies ?? LogBodies(db)
            let tail = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT seq, \(BodyBlocks.columns) FROM change WHERE record = ? AND seq > ? ORDER BY seq"),
                arguments: [id.data, record.checkpointSequence])
            while let change = try tail.next() {
                let sequence: Int64 = change[0]
                let encoded = try bodies.change(change, at: 1)
                try record.state.apply(encoded, history: StoreHistory(db: db, before: sequence))
                record.lastSequence = sequence
            }
        }
        return record
    }

    /// The record row's columns that follow from its merged state and heads,
    /// in the order of ``summary(of:heads:)``; `gfmd verify` compares them with its replay.
    static let summaryColumns = [
        "type", "owner", "workflow", "title", "deleted", "conflicted", "created_hlc", "updated_hlc", "heads", "co_authors", "conflicts",
    ]

    /// The values of ``summaryColumns`` for `state` with `heads`.
    static func summary(of state: RecordState, heads: Set<ChangeHash>) -> [DatabaseValue] {
        [
            state.header.type.databaseValue, state.header.owner.databaseValue, state.workflowState.databaseValue, state.title.databaseValue,
            state.isDeleted.databaseValue, state.isConflicted.databaseValue,
            Int64(bitPattern: state.header.created.rawValue).databaseValue, Int64(bitPattern: state.header.updated.rawValue).databaseValue,
            heads.sorted().concatenatedData.databaseValue, state.coAuthorsJSON.databaseValue, state.conflictsJSON.databaseValue,
        ]
    }

    /// A key of `values` (a row's ``summaryColumns``): equal values give
    /// equal keys, and different ones different keys but for a SHA-256
    /// collision (it hashes a self-delimiting encoding). `gfmd verify` keeps it for each record it
    /// replays, and decodes a state to name the columns that differ only
    /// when a row's key is not the replay's.
    static func summaryKey(_ values: [DatabaseValue]) -> Hash256 {
        var writer = ByteWriter(capacity: 256)
        for value in values {
            switch value.storage {
            case .null:
                writer.write(byte: 0)
            case .int64(let integer):
                writer.write(byte: 1)
                writer.write(uint64BigEndian: UInt64(bitPattern: integer))
            case .double(let double):
                writer.write(byte: 2)
                writer.write(uint64BigEndian: double.bitPattern)
            case .string(let string):
                writer.write(byte: 3)
                writer.write(lengthPrefixed: Array(string.utf8))
            case .blob(let data):
                writer.write(byte: 4)
                writer.write(lengthPrefixed: data)
            }
        }
        return Hash256.of(writer.bytes)
    }

    /// What writing a record's row takes that needs no database: its summary
    /// columns and, when ``needsCheckpoint``, its checkpoint encoded and packed.
    struct RowValues: Sendable {
        let summary: [DatabaseValue]
        let checkpoint: (packed: Data, size: Int)?
    }

    /// This record's ``RowValues``.
    var rowValues: RowValues {
        let encoded = needsCheckpoint ? state.encodedState : nil
        return RowValues(summary: Self.summary(of: state, heads: heads), checkpoint: encoded.map { (PackedBlob.pack($0), $0.count) })
    }

    /// The ``RowValues`` of `records`: an apply writes back every record it
    /// touched, and encoding their states is most of that. Made on every
    /// core for many records; for the few of one bundle among many, the
    /// other core is busy opening the next bundle and writing log rows, and
    /// waiting for it cost more than it saved (W2's 40 records a bundle:
    /// 1.23–1.40 s on every core, 1.26–1.31 s here).
    static func rowValues(of records: [StoredRecord]) -> [RowValues] {
        records.count < 256 ? records.map(\.rowValues) : records.concurrentMap(\.rowValues)
    }

    /// Writes the record row from `values` (its ``rowValues``): always its
    /// summary columns and heads, and the checkpoint when it has one.
    mutating func write(_ values: RowValues, to db: Database) throws {
        if let checkpoint = values.checkpoint {
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO record(id, type, owner, workflow, title, deleted, conflicted, created_hlc, updated_hlc,
                                   heads, co_authors, conflicts, state, state_size, state_seq, tail_bytes, tail_changes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)
                ON CONFLICT(id) DO UPDATE SET
                    type = excluded.type, owner = excluded.owner, created_hlc = excluded.created_hlc,
                    workflow = excluded.workflow, title = excluded.title, deleted = excluded.deleted,
                    conflicted = excluded.conflicted, updated_hlc = excluded.updated_hlc, heads = excluded.heads,
                    co_authors = excluded.co_authors, conflicts = excluded.conflicts, state = excluded.state,
                    state_size = excluded.state_size, state_seq = excluded.state_seq, tail_bytes = 0, tail_changes = 0
                """)
            try upsert.run([state.id.data.databaseValue] + values.summary
                           + [checkpoint.packed.databaseValue, checkpoint.size.databaseValue, lastSequence.databaseValue])
            checkpointSize = checkpoint.size
            checkpointSequence = lastSequence
            tailBytes = 0
            tailChanges = 0
        } else {
            let update = try db.cachedStatement(sql: """
                UPDATE record SET type = ?, owner = ?, workflow = ?, title = ?, deleted = ?, conflicted = ?,
                    created_hlc = ?, updated_hlc = ?, heads = ?, co_authors = ?, conflicts = ?, tail_bytes = ?, tail_changes = ?
                WHERE id = ?
                """)
            try update.run(values.summary + [tailBytes.databaseValue, tailChanges.databaseValue, state.id.data.databaseValue])
        }
    }
}
