import Foundation
import GFMDCore
import GRDB

extension TrustIndex {
    /// The index of this replica's trust record, read from the log.
    convenience init(db: Database, root: SitePublicKey) throws {
        // In log order, a causal order, so that the heads come out right.
        var changes: [EncodedChange] = []
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT body, size FROM change WHERE record = ? ORDER BY seq"),
                                       arguments: [TrustRecord.id(for: root).data])
        while let row = try rows.next() { changes.append(try StoreReader.decodeStored(row[0], size: row[1])) }
        self.init(root: root, changes: changes)
    }

    /// `cached` when it is still this replica's trust record, else an index read afresh.
    static func current(_ cached: TrustIndex?, db: Database, root: SitePublicKey) throws -> TrustIndex {
        if let cached, cached.root == root,
           try StoredRecord.heads(of: cached.record, in: db) ?? Data() == cached.heads.sorted().concatenatedData {
            return cached
        }
        return try TrustIndex(db: db, root: root)
    }
}
