import Foundation
public import GFMDCore
import GRDB

/// A commit to export, and where the bytes of the changes exported are kept.
///
/// A plan of these is read first, without any change's bytes; the bytes are
/// read one commit at a time (``StoreReader/stored(_:)``), so that a bundle or
/// a replay of everything a hub holds never keeps all its changes in memory.
public struct ExportedCommit: Sendable {
    /// The signing site's key.
    public let signer: SitePublicKey
    /// How many changes the whole commit holds.
    public let leafCount: Int
    /// The commit's signature.
    public let signature: [UInt8]
    /// The changes exported, by ascending index.
    public let leaves: [ExportedLeaf]
    /// The Merkle proof for the leaves not exported.
    public let proof: [Hash256]
}

/// A change to export: its index in its commit, its size and where it is kept.
public struct ExportedLeaf: Sendable {
    /// Its index in the commit.
    public let index: Int
    /// The size of its canonical bytes.
    public let size: Int
    /// The log's sequence number, or the key of a rejected or pending change.
    fileprivate let location: Location

    fileprivate enum Location: Sendable {
        case log(Int64)
        case rejected(Data)
        case pending(Data)
    }
}

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
        try exportPlan(selection: selection, includingPending: includingPending).map { try stored($0) }
    }

    /// The commits ``exportCommits(selection:includingPending:)`` returns,
    /// without their changes' bytes.
    public func exportPlan(selection: Set<ChangeHash>? = nil, includingPending: Bool = false) throws -> [ExportedCommit] {
        var order: [Int64] = []
        var leavesByCommit: [Int64: [ExportedLeaf]] = [:]
        func take(_ row: Row) {
            let commitID: Int64 = row["commit_id"]
            if leavesByCommit[commitID] == nil {
                order.append(commitID)
                leavesByCommit[commitID] = []
            }
            let key = row["key"] as DatabaseValue
            let location: ExportedLeaf.Location = switch row["part"] as Int {
            case 0: .log(Int64.fromDatabaseValue(key)!)
            case 1: .rejected(Data.fromDatabaseValue(key)!)
            default: .pending(Data.fromDatabaseValue(key)!)
            }
            leavesByCommit[commitID]!.append(ExportedLeaf(index: row["leaf_index"], size: row["size"], location: location))
        }
        if let selection {
            // A few changes: look each up by id, then keep the log's order
            // (rejected changes after the log, in the order they were rejected).
            let logged = try db.cachedStatement(sql: "SELECT 0 AS part, seq, commit_id, leaf_index, size, seq AS key FROM change WHERE hash = ?")
            let rejected = try db.cachedStatement(sql: """
                SELECT 1 AS part, rejected_seq + 9223372036854775807 / 2 AS seq, commit_id, leaf_index, size, hash AS key
                FROM rejected WHERE hash = ?
                """)
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
            let pending = includingPending ? "UNION ALL SELECT 2, 0, commit_id, leaf_index, size, hash FROM pending" : ""
            let rows = try Row.fetchCursor(db, sql: """
                SELECT 0 AS part, seq AS position, commit_id, leaf_index, size, seq AS key FROM change
                UNION ALL SELECT 1, rejected_seq, commit_id, leaf_index, size, hash FROM rejected
                \(pending)
                ORDER BY part, position
                """)
            while let row = try rows.next() { take(row) }
        }
        return try order.map { commitID in
            try exported(commitID, leaves: leavesByCommit[commitID]!.sorted { $0.index < $1.index })
        }
    }

    /// `commit` with its changes' bytes.
    ///
    /// - Parameter skippingUnreadable: leave out a change whose stored bytes
    ///   do not unpack (`verify`, which reports it), rather than throw.
    public func stored(_ commit: ExportedCommit, skippingUnreadable: Bool = false) throws -> StoredCommit {
        let log = try db.cachedStatement(sql: "SELECT \(BodyBlocks.columns) FROM change WHERE seq = ?")
        let rejected = try db.cachedStatement(sql: "SELECT body, size FROM rejected WHERE hash = ?")
        let pending = try db.cachedStatement(sql: "SELECT body, size FROM pending WHERE hash = ?")
        let leaves = try commit.leaves.compactMap { leaf -> (index: Int, bytes: [UInt8])? in
            let (row, table): (Row?, String) = switch leaf.location {
            case .log(let seq): (try Row.fetchOne(log, arguments: [seq]), "change")
            case .rejected(let hash): (try Row.fetchOne(rejected, arguments: [hash]), "rejected")
            case .pending(let hash): (try Row.fetchOne(pending, arguments: [hash]), "pending")
            }
            guard let row else { throw StoreError(.corrupt, "a change to export left the replica while it was read") }
            do {
                return (index: leaf.index, bytes: try bodies.bytes(row, at: 0, table: table))
            } catch where skippingUnreadable {
                return nil
            }
        }
        return StoredCommit(signer: commit.signer, leafCount: commit.leafCount, signature: commit.signature, leaves: leaves, proof: commit.proof)
    }

    private func exported(_ commitID: Int64, leaves: [ExportedLeaf]) throws -> ExportedCommit {
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
        return ExportedCommit(signer: signer, leafCount: leafCount, signature: [UInt8](row[2] as Data), leaves: leaves, proof: proof)
    }
}
