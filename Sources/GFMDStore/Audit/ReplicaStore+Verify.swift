public import Foundation
public import GFMDCore
import GRDB

extension ReplicaStore {
    /// `gfmd verify`: re-checks every stored change's hash and every commit
    /// signature, then replays everything the replica holds into a fresh
    /// database and compares the log, the verdicts (rejected, pending) and
    /// every record's merged state with it.
    ///
    /// The replica is only read, in one transaction, so it is verified as
    /// one consistent state even while another gfmd writes to it.
    ///
    /// - Parameters:
    ///   - scratchDirectory: where the replay's temporary database is
    ///     written; it is removed afterwards.
    ///   - replayBatch: changes replayed per transaction (whole commits, at
    ///     least one), which bounds memory: a transaction keeps the records it
    ///     touches in memory until it commits.
    ///   - progress: told of the commits replayed.
    /// - Throws: ``StoreError`` when the replica is not enrolled (it then
    ///   holds nothing to verify) or cannot be read at all.
    public func verify(scratchDirectory: URL = FileManager.default.temporaryDirectory, replayBatch: Int = 4096,
                       progress: ProgressHandler? = nil) throws -> Verification {
        precondition(replayBatch > 0, "a replay batch holds at least one change")
        let scratch = scratchDirectory.appendingPathComponent("gfmd-verify-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.database, "cannot create a scratch directory for the replay in \(scratchDirectory.path): \(error.localizedDescription)")
        }
        return try read { held in
            guard let root = try held.root() else {
                throw StoreError(.notEnrolled, "this replica is not enrolled yet: it holds nothing to verify")
            }
            var verification = Verification(root: root.siteID)
            try held.checkChangeHashes(into: &verification)
            try held.checkSites(into: &verification)
            let replay = try ReplicaStore(scratch: scratch.appendingPathComponent("replay.sqlite").path, logger: logger)
            try replay.write { try $0.pin(root: root) }
            // In batches, each its own transaction and each read when its turn
            // comes, so that memory stays bounded on a hub's history; the order
            // of applies does not change the result.
            let plan = try held.exportPlan(includingPending: true)
            var start = 0
            while start < plan.count {
                var end = start + 1, changes = plan[start].leaves.count
                while end < plan.count, changes + plan[end].leaves.count <= replayBatch {
                    changes += plan[end].leaves.count
                    end += 1
                }
                let commits = held.verified(try plan[start..<end].map { try held.stored($0, skippingUnreadable: true) }, into: &verification)
                _ = try replay.write { try $0.apply(commits, receipt: nil, policy: .receive) }
                progress?(WorkProgress("replaying commits", done: end, total: plan.count))
                start = end
            }
            try replay.read { replayed in
                try held.compareLog(with: replayed, into: &verification)
                try held.compareVerdicts(with: replayed, into: &verification)
                try held.compareRecords(with: replayed, into: &verification)
                // A record whose state cannot be read was reported above.
                verification.digest = (try? held.digest()) ?? "unreadable"
                verification.replayedDigest = try replayed.digest()
            }
            return verification
        }
    }
}

extension StoreReader {
    /// Hashes the bytes of every change held again.
    fileprivate func checkChangeHashes(into verification: inout Verification) throws {
        for table in ["change", "pending", "rejected"] {
            let rows = try Row.fetchCursor(db, sql: "SELECT hash, body, size FROM \(table)")
            while let row = try rows.next() {
                verification.changes += 1
                let id = Hex.encode(row[0] as Data)
                do {
                    let decoded = try EncodedChange(bytes: try PackedBlob.unpack(row[1], size: row[2]))
                    if decoded.hash.data != row[0] as Data {
                        verification.problems.append(VerificationProblem(
                            kind: .damagedChange, subject: id, detail: "its stored bytes hash to \(decoded.hash.short), not to its id"))
                    }
                } catch {
                    verification.problems.append(VerificationProblem(
                        kind: .damagedChange, subject: id, detail: "its stored bytes do not decode: \(error)"))
                }
            }
        }
    }

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

    /// `commits` with their signatures checked; those that fail are reported and left out.
    fileprivate func verified(_ commits: [StoredCommit], into verification: inout Verification) -> [VerifiedCommit] {
        var verified: [VerifiedCommit] = []
        for commit in commits {
            verification.commits += 1
            // A change whose bytes do not decode was reported already; without
            // it the commit's proof no longer fits, which is reported below.
            let leaves = commit.leaves.compactMap { leaf in
                (try? EncodedChange(bytes: leaf.bytes)).map { (index: leaf.index, change: $0) }
            }
            do {
                verified.append(try VerifiedCommit.verifying(
                    signer: commit.signer, leafCount: commit.leafCount, signature: commit.signature,
                    leaves: leaves, proof: commit.proof))
            } catch {
                let changes = leaves.map(\.change.hash.short).joined(separator: ", ")
                verification.problems.append(VerificationProblem(
                    kind: .badSignature, subject: commit.signer.siteID.hex,
                    detail: "a commit of \(commit.leafCount) change\(commit.leafCount == 1 ? "" : "s") (holding \(changes)) does not verify: \(error)"))
            }
        }
        return verified
    }

    /// Compares the log, change by change, with the replay's.
    fileprivate func compareLog(with replayed: StoreReader, into verification: inout Verification) throws {
        let columns = "hash, record, site, participant, author, hlc, deps, edits, trust_frontier"
        try SortedRows.walk("SELECT \(columns) FROM change ORDER BY hash", db, replayed.db) { key, held, replay in
            let id = Hex.encode(key)
            switch (held, replay) {
            case (.some, nil):
                verification.problems.append(VerificationProblem(
                    kind: .logMismatch, subject: id, detail: "the log holds this change but a replay of what the replica holds does not apply it"))
            case (nil, .some):
                verification.problems.append(VerificationProblem(
                    kind: .logMismatch, subject: id, detail: "a replay applies this change but the log does not hold it"))
            case let (held?, replay?):
                let differing = SortedRows.differingColumns(held, replay)
                if !differing.isEmpty {
                    verification.problems.append(VerificationProblem(
                        kind: .logMismatch, subject: id,
                        detail: "its log column\(differing.count == 1 ? "" : "s") \(differing.joined(separator: ", ")) disagree\(differing.count == 1 ? "s" : "") with its signed bytes"))
                }
            case (nil, nil):
                break
            }
        }
    }

    /// Compares which changes are rejected (and why) and which are pending with the replay.
    fileprivate func compareVerdicts(with replayed: StoreReader, into verification: inout Verification) throws {
        try SortedRows.walk("SELECT hash, code FROM rejected ORDER BY hash", db, replayed.db) { key, held, replay in
            let heldCode: String? = held?["code"]
            let replayCode: String? = replay?["code"]
            let detail: String
            switch (heldCode, replayCode) {
            case let (held?, replay?) where held != replay:
                detail = "rejected here (\(held)), but a replay rejects it for another reason (\(replay))"
            case let (held?, nil):
                detail = "rejected here (\(held)), but a replay does not reject it"
            case let (nil, replay?):
                detail = "not rejected here, but a replay rejects it (\(replay))"
            default:
                return
            }
            verification.problems.append(VerificationProblem(kind: .verdictMismatch, subject: Hex.encode(key), detail: detail))
        }
        try SortedRows.walk("SELECT hash FROM pending ORDER BY hash", db, replayed.db) { key, held, replay in
            guard (held == nil) != (replay == nil) else { return }
            verification.problems.append(VerificationProblem(
                kind: .verdictMismatch, subject: Hex.encode(key),
                detail: held == nil ? "a replay keeps this change pending but the replica does not" : "pending here but not in a replay"))
        }
    }

    /// Compares each record's stored columns and merged state with the replay's.
    fileprivate func compareRecords(with replayed: StoreReader, into verification: inout Verification) throws {
        let columns = "id, type, owner, workflow, title, deleted, conflicted, created_hlc, updated_hlc, heads, fields, conflicts"
        try SortedRows.walk("SELECT \(columns) FROM record ORDER BY id", db, replayed.db) { key, held, replay in
            let subject = Hex.encode(key)
            if held != nil { verification.records += 1 }
            guard let held, let replay else {
                verification.problems.append(VerificationProblem(
                    kind: .stateMismatch, subject: subject,
                    detail: held == nil ? "a replay holds this record but the replica does not" : "the replica holds this record but a replay does not"))
                return
            }
            var differing = SortedRows.differingColumns(held, replay)
            let id = try RecordID(data: key)
            do {
                let heldState = try StoredRecord.load(id, from: db)?.state.encodedState
                let replayState = try StoredRecord.load(id, from: replayed.db)?.state.encodedState
                if heldState != replayState { differing.append("state") }
            } catch {
                differing.append("state (unreadable: \(error))")
            }
            if !differing.isEmpty {
                verification.problems.append(VerificationProblem(
                    kind: .stateMismatch, subject: subject,
                    detail: "its merged \(differing.joined(separator: ", ")) differ\(differing.count == 1 ? "s" : "") from a replay of its changes"))
            }
        }
    }
}
