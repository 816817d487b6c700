import Foundation
public import GFMDCore
import GFMDSync
import GRDB

extension ReplicaStore {
    /// `gfmd verify`: re-checks every stored change's hash and every commit
    /// signature, replays everything the replica holds through the admission
    /// machine in memory (``ReplayLedger``), and compares the log, the
    /// verdicts (rejected, pending) and every record's merged state with it.
    ///
    /// The replica is only read, in one transaction, so it is verified as
    /// one consistent state even while another gfmd writes to it; nothing is
    /// written anywhere.
    ///
    /// - Parameters:
    ///   - replayBatch: changes replayed per admission (whole commits, at
    ///     least one), which bounds memory: a batch's commits are read and
    ///     held together, two batches at a time (one admitted, the next
    ///     checked). The W2 hub, on a machine half as fast as the one of
    ///     issue 21's latest figures: 3.4 s and 90 MB with 2,048, against
    ///     3.8 s and 91 MB one batch of 4,096 at a time.
    ///   - progress: told of the commits replayed.
    /// - Throws: ``StoreError`` when the replica is not enrolled (it then
    ///   holds nothing to verify) or cannot be read at all.
    public func verify(replayBatch: Int = 2048, progress: ProgressHandler? = nil) throws -> Verification {
        precondition(replayBatch > 0, "a replay batch holds at least one change")
        return try read { held in
            guard let root = try held.root() else {
                throw StoreError(.notEnrolled, "this replica is not enrolled yet: it holds nothing to verify")
            }
            var verification = Verification(root: root.siteID)
            try held.checkSites(into: &verification)
            try held.checkReferences(into: &verification)
            try held.checkFingerprints(into: &verification)
            // In batches, each read when its turn comes, so that memory stays
            // bounded on a hub's history; the order of applies does not change
            // the result. Each batch's signatures are checked on the other
            // core while the batch before it is admitted.
            let plan = try held.exportPlan(includingPending: true)
            let replay = ReplayLedger(root: root, held: held.db, changes: plan.reduce(0) { $0 + $1.leaves.count })
            var batches: [Range<Int>] = []
            while (batches.last?.upperBound ?? 0) < plan.count {
                let start = batches.last?.upperBound ?? 0
                var end = start + 1, changes = plan[start].leaves.count
                while end < plan.count, changes + plan[end].leaves.count <= replayBatch {
                    changes += plan[end].leaves.count
                    end += 1
                }
                batches.append(start..<end)
            }
            func check(_ batch: Range<Int>) throws -> Background<CheckedCommits> {
                let commits = try plan[batch].map { try held.stored($0, skippingUnreadable: true) }
                return Background { CheckedCommits(commits) }
            }
            var next = try batches.first.map(check)
            for (index, batch) in batches.enumerated() {
                let checked = next!.wait()
                next = index + 1 < batches.count ? try check(batches[index + 1]) : nil
                verification.commits += checked.count
                verification.problems += checked.problems
                try replay.admit(checked.verified)
                ReleasedElsewhere.release(consume checked)
                progress?(WorkProgress("replaying commits", done: batch.upperBound, total: plan.count))
            }
            let replayedDigest = replay.digest()
            try held.compareLog(with: replay, into: &verification)
            try held.compareVerdicts(with: replay, into: &verification)
            try held.compareRecords(with: replay, into: &verification)
            // A record whose state cannot be read was reported above.
            verification.digest = (try? held.digest()) ?? "unreadable"
            verification.replayedDigest = try replayedDigest.wait().get()
            return verification
        }
    }
}

extension StoreReader {
    /// Checks that each site's stored key is the key its id names.
    fileprivate func checkSites(into verification: inout Verification) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT id, public_key FROM site")
        while let row = try rows.next() {
            let id: Data = row[0]
            let key = try? SitePublicKey(rawRepresentation: [UInt8](row[1] as Data))
            if key?.siteID.data != id {
                verification.problems.append(VerificationProblem(
                    kind: .damagedSite, subject: Hex.encode(id), detail: "the stored public key is not this site's key"))
            }
        }
    }

    /// Checks each site's fingerprint kept in `site_fingerprint` against a
    /// fresh count of the changes of that site held up to its time.
    fileprivate func checkFingerprints(into verification: inout Verification) throws {
        let fresh = StoreReader(db: db)
        for row in try Row.fetchAll(db, sql: "SELECT site, time, count, xor FROM site_fingerprint") {
            let subject = Hex.encode(row[0] as Data)
            guard let site = try? SiteID(data: row[0]) else {
                verification.problems.append(VerificationProblem(kind: .fingerprintMismatch, subject: subject, detail: "a fingerprint is kept for an id that names no site"))
                continue
            }
            let time = HybridTimestamp(rawValue: UInt64(bitPattern: row[1]))
            let counted = try fresh.fingerprint(ofSite: site, upTo: time)
            if counted.count != UInt64(bitPattern: row[2]) || counted.xor != UInt64(bitPattern: row[3]) {
                verification.problems.append(VerificationProblem(
                    kind: .fingerprintMismatch, subject: subject,
                    detail: "its fingerprint kept up to \(time.iso8601) counts \(row[2] as Int64) changes (xor \(String(UInt64(bitPattern: row[3]), radix: 16))), but \(counted.count) of its changes are held up to then (xor \(String(counted.xor, radix: 16)))"))
            }
        }
    }

    /// Checks the schema's foreign keys, which SQLite does not enforce while
    /// gfmd writes: each row naming a missing row of another table is
    /// reported by its `hash` (changes) or `id` (commits), else its table.
    fileprivate func checkReferences(into verification: inout Verification) throws {
        let broken = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
        var seen = Set<String>()
        for row in broken {
            let table: String = row["table"], parent: String = row["parent"], key: Int64 = row["fkid"]
            guard seen.insert("\(table) \(key)").inserted else { continue }
            let reference = try Row.fetchAll(db, sql: "SELECT * FROM pragma_foreign_key_list(?) WHERE id = ?", arguments: [table, key])
            guard let column: String = reference.first?["from"] else { continue }
            // A key naming no column refers to the parent's primary key.
            let named: String? = reference.first?["to"]
            let target = try named ?? String.fetchOne(db, sql: "SELECT name FROM pragma_table_info(?) WHERE pk = 1", arguments: [parent]) ?? "rowid"
            let columns = try String.fetchSet(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table])
            let subject = columns.contains("hash") ? "hash" : columns.contains("id") ? "id" : nil
            let names = try DatabaseValue.fetchAll(db, sql: """
                SELECT \(subject ?? "NULL") FROM "\(table)" WHERE "\(column)" IS NOT NULL
                AND "\(column)" NOT IN (SELECT "\(target)" FROM "\(parent)")
                """)
            for name in names {
                let shown: String = switch name.storage {
                case .blob(let data): Hex.encode(data)
                case .int64(let id): "\(table) \(id)"
                default: table
                }
                verification.problems.append(VerificationProblem(
                    kind: .brokenReference, subject: shown,
                    detail: "\(table).\(column) names a row of \(parent) that is not there"))
            }
        }
    }

    /// Hashes the bytes of every change held again, and compares the log,
    /// change by change, with the replay: what each applies, and the log's
    /// columns with those the signed bytes and the replay's trust frontier give.
    ///
    /// A change whose bytes hash to its id and which the replay applied was
    /// decoded by the replay from those very bytes: it is not decoded again.
    /// Rows are read here, a chunk at a time, and each chunk is checked on
    /// the other cores while the next is read.
    fileprivate func compareLog(with replay: ReplayLedger, into verification: inout Verification) throws {
        var problems: [VerificationProblem] = []
        var logged = 0
        var checking: Background<[VerificationProblem]>?
        for table in ["change", "pending", "rejected"] {
            let columns = table == "change" ? ", " + LoggedFields.columns.joined(separator: ", ") : ""
            let rows = try Row.fetchCursor(db, sql: "SELECT hash, \(BodyBlocks.columns(of: table))\(columns) FROM \(table)")
            let first = table == "change" ? 4 : 3
            var chunk: [HeldChange] = []
            func check() {
                if let checking { problems += checking.wait() }
                let rows = chunk
                checking = Background { rows.concurrentMap { $0.problems() }.flatMap(\.self) }
                chunk = []
            }
            while let row = try rows.next() {
                verification.changes += 1
                let key: Data = row[0]
                let entry = table == "change" ? (try? Hash256(data: key)).flatMap { replay.entries[$0] } : nil
                if table == "change", entry != nil { logged += 1 }
                chunk.append(HeldChange(
                    key: key, logged: table == "change", entry: entry, bytes: Result { try bodies.bytes(row, at: 1, table: table) },
                    columns: table == "change" ? LoggedFields.columns.indices.map { row[first + $0] } : []))
                if chunk.count == Self.checkedTogether { check() }
            }
            check()
        }
        if let checking { problems += checking.wait() }
        if logged < replay.entries.count {
            let held = try db.cachedStatement(sql: "SELECT 1 FROM change WHERE hash = ?")
            for hash in replay.entries.keys where try Bool.fetchOne(held, arguments: [hash.data]) != true {
                problems.append(VerificationProblem(kind: .logMismatch, subject: hash.hex, detail: "a replay applies this change but the log does not hold it"))
            }
        }
        verification.problems += problems.sorted { $0.subject < $1.subject }
    }

    /// How many rows ``compareLog(with:into:)`` and ``compareRecords(with:into:)`` check at once.
    private static let checkedTogether = 1024

    /// Compares which changes are rejected (and why) and which are pending with the replay.
    fileprivate func compareVerdicts(with replay: ReplayLedger, into verification: inout Verification) throws {
        var problems: [VerificationProblem] = []
        var heldRejected: [ChangeHash: String] = [:]
        let rejectedRows = try Row.fetchCursor(db, sql: "SELECT hash, code FROM rejected")
        while let row = try rejectedRows.next() { heldRejected[try Hash256(data: row[0])] = row[1] }
        for hash in Set(heldRejected.keys).union(replay.rejected.keys) {
            let detail: String
            switch (heldRejected[hash], replay.rejected[hash]) {
            case let (held?, replayed?) where held != replayed:
                detail = "rejected here (\(held)), but a replay rejects it for another reason (\(replayed))"
            case let (held?, nil):
                detail = "rejected here (\(held)), but a replay does not reject it"
            case let (nil, replayed?):
                detail = "not rejected here, but a replay rejects it (\(replayed))"
            default:
                continue
            }
            problems.append(VerificationProblem(kind: .verdictMismatch, subject: hash.hex, detail: detail))
        }
        let heldPending = Set(try Data.fetchAll(db, sql: "SELECT hash FROM pending").map { try Hash256(data: $0) })
        for hash in heldPending.symmetricDifference(replay.waiting.keys) {
            problems.append(VerificationProblem(
                kind: .verdictMismatch, subject: hash.hex,
                detail: heldPending.contains(hash) ? "pending here but not in a replay" : "a replay keeps this change pending but the replica does not"))
        }
        verification.problems += problems.sorted { $0.subject < $1.subject }
    }

    /// Compares each record's stored columns and merged state with the
    /// replay's: rows read here, a chunk at a time, and checked on every core.
    fileprivate func compareRecords(with replay: ReplayLedger, into verification: inout Verification) throws {
        var problems: [VerificationProblem] = []
        var seen = 0
        let columns = StoredRecord.summaryColumns
        let rows = try Row.fetchCursor(db, sql: "SELECT id, \(columns.joined(separator: ", ")), state, state_size, tail_changes FROM record")
        let checkpoint = 1 + columns.count
        var chunk: [HeldRecord] = []
        func check() throws {
            let checked = chunk.concurrentMap { $0.comparison() }
            for (record, var comparison) in zip(chunk, checked) {
                // A checkpoint with a tail after it: the state is loaded, here, with the tail replayed.
                if let encoded = comparison.loadAndCompare, let id = record.id {
                    do {
                        if try StoredRecord.load(id, from: db)?.state.encodedState != encoded { comparison.differing.append("state") }
                    } catch {
                        comparison.differing.append("state (unreadable: \(error))")
                    }
                }
                if let problem = comparison.problem(for: record.subject) { problems.append(problem) }
            }
            chunk.removeAll(keepingCapacity: true)
        }
        while let row = try rows.next() {
            verification.records += 1
            let key: Data = row[0]
            let id = try? RecordID(data: key)
            let replayed = id.flatMap { replay.records[$0] }
            if replayed != nil { seen += 1 }
            chunk.append(HeldRecord(
                id: id, subject: Hex.encode(key), summary: columns.indices.map { row[1 + $0] },
                checkpoint: row[checkpoint], checkpointSize: row[checkpoint + 1], tailChanges: row[checkpoint + 2], replayed: replayed))
            if chunk.count == Self.checkedTogether { try check() }
        }
        try check()
        if seen < replay.records.count {
            let held = try db.cachedStatement(sql: "SELECT 1 FROM record WHERE id = ?")
            for id in replay.records.keys where try Bool.fetchOne(held, arguments: [id.data]) != true {
                problems.append(VerificationProblem(kind: .stateMismatch, subject: id.hex, detail: "a replay holds this record but the replica does not"))
            }
        }
        verification.problems += problems.sorted { $0.subject < $1.subject }
    }
}

/// A log, pending or rejected row as `verify` read it, with the replay's
/// entry for it, to check on any core.
private struct HeldChange: Sendable {
    let key: Data
    /// Whether the row is the log's (its derived columns are compared).
    let logged: Bool
    let entry: ReplayLedger.Entry?
    let bytes: Result<[UInt8], any Error>
    /// The log's derived columns (``LoggedFields/columns``), for a log row.
    let columns: [DatabaseValue]

    /// What is wrong with the row: its bytes, and for a log row, whether
    /// the replay applied it and its derived columns.
    func problems() -> [VerificationProblem] {
        var problems: [VerificationProblem] = []
        // Named only in a problem: most rows have none.
        var id: String { Hex.encode(key) }
        let hash = try? Hash256(data: key)
        // Whether its bytes are those whose hash is its id.
        let intact = (try? bytes.get()).map(Hash256.of) == hash
        if entry == nil || !intact {
            do {
                let decoded = try EncodedChange(bytes: bytes.get())
                if decoded.hash.data != key {
                    problems.append(VerificationProblem(kind: .damagedChange, subject: id, detail: "its stored bytes hash to \(decoded.hash.short), not to its id"))
                }
            } catch {
                problems.append(VerificationProblem(kind: .damagedChange, subject: id, detail: "its stored bytes do not decode: \(error)"))
            }
        }
        guard logged else { return problems }
        guard let entry else {
            problems.append(VerificationProblem(
                kind: .logMismatch, subject: id, detail: "the log holds this change but a replay of what the replica holds does not apply it"))
            return problems
        }
        // The replay applied the change whose bytes hash to this id; bytes that do not were reported above.
        guard intact else { return problems }
        let expected = entry.fields.values(frontier: entry.frontier)
        let differing = LoggedFields.columns.indices.filter { columns[$0] != expected[$0] }.map { LoggedFields.columns[$0] }
        if !differing.isEmpty {
            problems.append(VerificationProblem(
                kind: .logMismatch, subject: id,
                detail: "its log column\(differing.count == 1 ? "" : "s") \(differing.joined(separator: ", ")) disagree\(differing.count == 1 ? "s" : "") with its signed bytes"))
        }
        return problems
    }
}

/// A record row as `verify` read it, with the replay's state of it, to
/// compare on any core.
private struct HeldRecord: Sendable {
    let id: RecordID?
    let subject: String
    /// The row's ``StoredRecord/summaryColumns``.
    let summary: [DatabaseValue]
    let checkpoint: Data
    let checkpointSize: Int
    let tailChanges: Int
    let replayed: ReplayLedger.Record?

    /// What differs, so far.
    struct Comparison: Sendable {
        var differing: [String] = []
        /// Whether the replay holds the record at all.
        var replayed = true
        /// The replayed state, when the stored one must be loaded (its
        /// checkpoint has a tail after it) to be compared with it.
        var loadAndCompare: [UInt8]?

        func problem(for subject: String) -> VerificationProblem? {
            guard replayed else {
                return VerificationProblem(kind: .stateMismatch, subject: subject, detail: "the replica holds this record but a replay does not")
            }
            guard !differing.isEmpty else { return nil }
            return VerificationProblem(
                kind: .stateMismatch, subject: subject,
                detail: "its merged \(differing.joined(separator: ", ")) differ\(differing.count == 1 ? "s" : "") from a replay of its changes")
        }
    }

    /// Compares the row's columns with the replay's state, and its
    /// checkpoint when no tail follows it (equal bytes need no decoding).
    func comparison() -> Comparison {
        var comparison = Comparison()
        guard let id, let replayed else {
            comparison.replayed = false
            return comparison
        }
        // The common case: the same summary, and the checkpoint packed from
        // the same encoding (packing is deterministic); nothing to unpack.
        if StoredRecord.summaryKey(summary) == replayed.summaryKey, tailChanges == 0,
           checkpointSize == replayed.size, checkpoint == replayed.state {
            return comparison
        }
        do {
            let encoded = try PackedBlob.unpack(replayed.state, size: replayed.size)
            let expected = StoredRecord.summary(of: try RecordState(id: id, decoding: encoded), heads: replayed.heads)
            comparison.differing = StoredRecord.summaryColumns.indices.filter { summary[$0] != expected[$0] }.map { StoredRecord.summaryColumns[$0] }
            let whole = tailChanges == 0 && (try? PackedBlob.unpack(checkpoint, size: checkpointSize)) == encoded
            if !whole { comparison.loadAndCompare = encoded }
        } catch {
            comparison.differing.append("state (unreadable: \(error))")
        }
        return comparison
    }
}

/// A replay batch's commits with their signatures checked: those that
/// verify, and a problem for each that does not. Each commit's changes are
/// decoded and its signature checked on every core: they are independent,
/// and most of the cost.
private struct CheckedCommits: Sendable {
    let verified: [VerifiedCommit]
    let problems: [VerificationProblem]
    let count: Int

    init(_ commits: [StoredCommit]) {
        let checked = commits.concurrentMap { commit -> (verified: VerifiedCommit?, problem: VerificationProblem?) in
            // A change whose bytes do not decode was reported already; without
            // it the commit's proof no longer fits, which is reported below.
            let leaves = commit.leaves.compactMap { leaf in
                (try? EncodedChange(bytes: leaf.bytes)).map { (index: leaf.index, change: $0) }
            }
            do {
                return (try VerifiedCommit.verifying(
                    signer: commit.signer, leafCount: commit.leafCount, signature: commit.signature,
                    leaves: leaves, proof: commit.proof), nil)
            } catch {
                let changes = leaves.map(\.change.hash.short).joined(separator: ", ")
                return (nil, VerificationProblem(
                    kind: .badSignature, subject: commit.signer.siteID.hex,
                    detail: "a commit of \(commit.leafCount) change\(commit.leafCount == 1 ? "" : "s") (holding \(changes)) does not verify: \(error)"))
            }
        }
        verified = checked.compactMap(\.verified)
        problems = checked.compactMap(\.problem)
        count = commits.count
    }
}
