import Foundation
import GFMDCore
import GRDB

/// How the log keeps its change bodies (`Protocol/storage.md`, "Body
/// blocks"): the bodies an apply appends are concatenated, in log order,
/// into blocks of at most ``capacity`` bytes (a body longer than that has a
/// block of its own), each block packed as one ``PackedBlob`` in `body_block`;
/// a change row names its `block`, the `block_offset` of its body in the
/// unpacked block, and its `size`.
///
/// Packed one by one, a change body kept a third of its bytes; packed
/// together, the field names, value prefixes and ids that neighbouring
/// changes repeat are kept once (W2: 302 bytes a change alone, 128 in
/// blocks of 32 KiB). A block is small enough that reading one change unpacks
/// little besides it.
enum BodyBlocks {
    /// The most body bytes a block gathers.
    static let capacity = 32 * 1024

    /// The columns of `change` that locate its body, in the order
    /// ``LogBodies/bytes(_:at:)`` reads them.
    static let columns = "block, block_offset, size"

    /// The columns locating the bodies of `table`: `change` keeps them in
    /// blocks, `pending` and `rejected` one packed blob each (`body, size`);
    /// ``LogBodies/bytes(_:at:table:)`` reads either.
    static func columns(of table: String) -> String {
        table == "change" ? columns : "body, size"
    }
}

/// Gathers the bodies one apply appends to the log into blocks, writing
/// each block once it is full, and the last when the apply finishes; the
/// bodies of the block being gathered are read from memory (``unwritten(_:)``).
///
/// An apply hands its full blocks to its ``AppendLane``, which packs and
/// writes them on another core; the upgrade writes them itself.
final class BodyBlockWriter {
    private let db: Database
    private let lane: AppendLane?
    /// The id the next block takes, once asked.
    private var nextID: Int64?
    /// The block being gathered: its id and bytes.
    private var open: (id: Int64, bytes: [UInt8])?

    init(db: Database, lane: AppendLane? = nil) throws {
        self.db = db
        self.lane = lane
        if lane != nil { nextID = try Self.firstFreeID(in: db) }
    }

    /// Adds `body` to the open block (after writing the open block when it
    /// would overflow), answering where it is.
    func add(_ body: [UInt8]) throws -> (block: Int64, offset: Int) {
        if let open, !open.bytes.isEmpty, open.bytes.count + body.count > BodyBlocks.capacity {
            try finish()
        }
        if open == nil {
            let id = try nextID ?? Self.firstFreeID(in: db)
            nextID = id + 1
            open = (id, [])
            open!.bytes.reserveCapacity(BodyBlocks.capacity)
        }
        let offset = open!.bytes.count
        open!.bytes += body
        return (open!.id, offset)
    }

    private static func firstFreeID(in db: Database) throws -> Int64 {
        (try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM body_block")) ?? 0) + 1
    }

    /// The unpacked bytes of `block` when it is the one being gathered.
    func unwritten(_ block: Int64) -> [UInt8]? {
        open?.id == block ? open?.bytes : nil
    }

    /// Stores `packed`, a body that does not unpack to its `size`, as found:
    /// a block of its own, which reads as damaged (after writing the open block).
    func keepAsFound(_ packed: Data, size: Int) throws -> (block: Int64, offset: Int) {
        try finish()
        try db.cachedStatement(sql: "INSERT INTO body_block(packed, size) VALUES (?, ?)").execute(arguments: [packed, size])
        nextID = nil
        return (db.lastInsertedRowID, 0)
    }

    /// Writes the block being gathered, if any (hands it to the lane).
    func finish() throws {
        guard let open else { return }
        self.open = nil
        if let lane {
            lane.append(.block(id: open.id, bytes: open.bytes))
        } else {
            try db.cachedStatement(sql: "INSERT INTO body_block(id, packed, size) VALUES (?, ?, ?)")
                .execute(arguments: [open.id, PackedBlob.pack(open.bytes), open.bytes.count])
        }
    }
}

/// Reads change bodies: from the log's blocks, keeping the few blocks last
/// read unpacked, and from the packed blobs of `pending` and `rejected`.
///
/// Changes read in log order unpack each block once. So do the changes of
/// the records one apply brought, read record after record (the audit
/// database's field history): they interleave over that apply's few blocks.
/// (`gfmd audit-db` on the W2 hub: 9.9 s keeping one block, 7.1 s keeping eight.)
final class LogBodies {
    private let db: Database
    /// The blocks an apply under way has not written yet, if reading during one.
    private let unwritten: BodyBlockWriter?
    /// The blocks last read, the latest last.
    private var recent: [(id: Int64, bytes: [UInt8])] = []
    /// How many blocks ``recent`` keeps (256 KiB at most).
    private static let recentLimit = 8

    init(_ db: Database, unwritten: BodyBlockWriter? = nil) {
        self.db = db
        self.unwritten = unwritten
    }

    /// The bytes of the change body located by the ``BodyBlocks/columns``
    /// starting at column `index` of `row`.
    ///
    /// - Throws: ``StoreError`` (`corrupt`) when the block is missing, does
    ///   not unpack, or does not hold the body.
    func bytes(_ row: Row, at index: Int) throws -> [UInt8] {
        let block: Int64 = row[index], offset: Int = row[index + 1], size: Int = row[index + 2]
        let bytes = try self.block(block)
        guard offset >= 0, size >= 0, offset <= bytes.count - size else {
            throw StoreError(.corrupt, "a stored change's body lies outside its block \(block)")
        }
        return Array(bytes[offset..<offset + size])
    }

    /// The bytes of a change body read from `table` with ``BodyBlocks/columns(of:)``,
    /// starting at column `index` of `row`.
    func bytes(_ row: Row, at index: Int, table: String) throws -> [UInt8] {
        table == "change" ? try bytes(row, at: index) : try PackedBlob.unpack(row[index], size: row[index + 1])
    }

    /// The change whose body is located at column `index` of `row` (``bytes(_:at:)``).
    func change(_ row: Row, at index: Int, table: String = "change") throws -> EncodedChange {
        let bytes = try self.bytes(row, at: index, table: table)
        do {
            return try EncodedChange(bytes: bytes)
        } catch {
            throw StoreError(.corrupt, "a stored change is damaged: \(error)")
        }
    }

    private func block(_ id: Int64) throws -> [UInt8] {
        if let index = recent.lastIndex(where: { $0.id == id }) {
            if index != recent.count - 1 { recent.append(recent.remove(at: index)) }
            return recent[recent.count - 1].bytes
        }
        if let bytes = unwritten?.unwritten(id) { return bytes }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT packed, size FROM body_block WHERE id = ?"), arguments: [id]) else {
            throw StoreError(.corrupt, "the block \(id) holding stored change bodies is missing")
        }
        let bytes = try PackedBlob.unpack(row[0], size: row[1])
        if recent.count == Self.recentLimit { recent.removeFirst() }
        recent.append((id, bytes))
        return bytes
    }
}
