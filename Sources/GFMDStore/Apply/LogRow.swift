import GFMDCore
import GRDB

/// A change appended to the log, as the apply decided it: its `change` row's
/// values are made where the row is written (``AppendLane``), off the
/// thread that decides the next changes.
struct LogRow: Sendable {
    let sequence: Int64
    let change: EncodedChange
    /// Its trust frontier.
    let frontier: [ChangeHash]
    let arrival: Arrival
    /// Where its body is (``BodyBlocks``).
    let block: Int64
    let offset: Int

    /// The insert, with ``values`` in order.
    static let insertSQL = """
        INSERT INTO change(seq, hash, \(LoggedFields.columns.joined(separator: ", ")), commit_id, leaf_index, bundle_id, \(BodyBlocks.columns), accepts)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    var values: [DatabaseValue] {
        [sequence.databaseValue, change.hash.data.databaseValue] + LoggedFields(change.change).values(frontier: frontier) + [
            arrival.commitID.databaseValue, arrival.leafIndex.databaseValue, arrival.bundleID.databaseValue,
            block.databaseValue, offset.databaseValue, change.bytes.count.databaseValue, change.change.accepts.databaseValue,
        ]
    }
}
