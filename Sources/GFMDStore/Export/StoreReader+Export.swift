import Foundation
public import GFMDCore
import GRDB

extension StoreReader {
    /// The commits holding the changes of the log, ready for a bundle.
    ///
    /// - Parameters:
    ///   - selection: the changes to export; nil exports every change of the
    ///     log and every rejected change. Commits come in the order their
    ///     first change was applied here (a causal order); a commit exported
    ///     in part carries the Merkle proof of the leaves left out.
    ///   - includingPending: with no selection, also export the changes still
    ///     waiting for their dependencies (for a replay of everything held).
    public func exportCommits(selection: Set<ChangeHash>? = nil, includingPending: Bool = false) throws -> [StoredCommit] {
        var order: [Int64] = []
        var leavesByCommit: [Int64: [(index: Int, bytes: [UInt8])]] = [:]
        func take(_ row: Row) {
            let commitID: Int64 = row["commit_id"]
            if leavesByCommit[commitID] == nil {
                order.append(commitID)
                leavesByCommit[commitID] = []
            }
            leavesByCommit[commitID]!.append((row["leaf_index"], [UInt8](row["body"] as Data)))
        }
        if let selection {
            // A few changes: look each up by id, then keep the log's order
            // (rejected changes after the log, in the order they were rejected).
            let logged = try db.cachedStatement(sql: "SELECT seq, commit_id, leaf_index, body FROM change WHERE hash = ?")
            let rejected = try db.cachedStatement(sql: "SELECT rejected_seq + 9223372036854775807 / 2 AS seq, commit_id, leaf_index, body FROM rejected WHERE hash = ?")
            var rows: [Row] = []
            for hash in selection {
                if let row = try Row.fetchOne(logged, arguments: [hash.data]) ?? Row.fetchOne(rejected, arguments: [hash.data]) {
                    rows.append(row)
                }
            }
            for row in rows.sorted(by: { ($0["seq"] as Int64) < ($1["seq"] as Int64) }) { take(row) }
        } else {
            // Everything held: the log, then the rejected changes, which are
            // never lost, then perhaps the pending ones.
            let pending = includingPending ? "UNION ALL SELECT 2, 0, commit_id, leaf_index, body FROM pending" : ""
            let rows = try Row.fetchCursor(db, sql: """
                SELECT commit_id, leaf_index, body FROM (
                    SELECT 0 AS part, seq AS position, commit_id, leaf_index, body FROM change
                    UNION ALL SELECT 1, rejected_seq, commit_id, leaf_index, body FROM rejected
                    \(pending))
                ORDER BY part, position
                """)
            while let row = try rows.next() { take(row) }
        }
        return try order.map { commitID in
            let leaves = leavesByCommit[commitID]!.sorted { $0.index < $1.index }
            return try storedCommit(commitID, exporting: leaves)
        }
    }

    private func storedCommit(_ commitID: Int64, exporting leaves: [(index: Int, bytes: [UInt8])]) throws -> StoredCommit {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT s.public_key, c.leaf_count, c.signature, c.proof_nodes
            FROM commit_group c JOIN site s ON s.id = c.site WHERE c.id = ?
            """, arguments: [commitID]) else {
            throw StoreError(.corrupt, "a stored change belongs to a commit the replica does not hold")
        }
        let signer: SitePublicKey
        do { signer = try SitePublicKey(rawRepresentation: row[0] as Data) } catch {
            throw StoreError(.corrupt, "a stored site key is invalid")
        }
        let leafCount: Int = row[1]
        var proof: [Hash256] = []
        if leaves.count < leafCount {
            var known: [Int: ChangeHash] = [:]
            for table in ["change", "pending", "rejected"] {
                let hashes = try Row.fetchCursor(db, sql: "SELECT leaf_index, hash FROM \(table) WHERE commit_id = ?", arguments: [commitID])
                while let leaf = try hashes.next() { known[leaf[0]] = try Hash256(data: leaf[1]) }
            }
            let nodes = try [MerkleTree.Node](decoding: row[3])
            let knowledge = MerkleTree.Knowledge(leafCount: leafCount, leaves: known, nodes: nodes)
            guard let computed = knowledge.proof(for: leaves.map(\.index)) else {
                throw StoreError(.corrupt, "the replica cannot prove part of a commit it received whole")
            }
            proof = computed
        }
        return StoredCommit(signer: signer, leafCount: leafCount, signature: [UInt8](row[2] as Data), leaves: leaves, proof: proof)
    }
}
