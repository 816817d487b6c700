import Foundation
import GFMDCore
import GRDB

extension TrustIndex {
    /// The index of this replica's trust record, read from the log.
    convenience init(db: Database, root: SitePublicKey) throws {
        // In log order, a causal order, so that the heads come out right.
        var changes: [EncodedChange] = []
        let bodies = LogBodies(db)
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT \(BodyBlocks.columns) FROM change WHERE record = ? ORDER BY seq"),
                                       arguments: [TrustRecord.id(for: root).data])
        while let row = try rows.next() { changes.append(try bodies.change(row, at: 0)) }
        self.init(root: root, changes: changes)
    }

    /// `cached` when it is still this replica's trust record, else an index read afresh.
    static func current(_ cached: TrustIndex?, db: Database, root: SitePublicKey) throws -> TrustIndex {
        if let cached, cached.root == root, try Self.same(StoredRecord.heads(of: cached.record, in: db) ?? Data(), cached.headsInOrder) {
            return cached
        }
        return try TrustIndex(db: db, root: root)
    }

    /// Whether `stored`, a record row's heads, are `heads` (sorted).
    private static func same(_ stored: Data, _ heads: [ChangeHash]) -> Bool {
        guard stored.count == heads.count * Hash256.byteCount else { return false }
        return stored.withUnsafeBytes { raw in
            heads.indices.allSatisfy { index in
                Hash256(UnsafeRawBufferPointer(rebasing: raw[(index * Hash256.byteCount)...])) == heads[index]
            }
        }
    }
}
