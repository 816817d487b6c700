import Foundation
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import GRDB
import Testing

/// A replica written by an earlier gfmd opens, upgrades and keeps every
/// answer it gave: `Tests/Data/upgrade-v4` holds the secretariat's replica
/// of a short story written by gfmd before the log was made compact
/// (schema "v4-hub-restarts"), with what that gfmd printed for it;
/// `Tests/Data/upgrade-v5` the same replica as gfmd left it before the
/// log's bodies went into blocks (schema "v5-compact").
@Suite("Upgrade: a replica from an earlier gfmd")
struct UpgradeTests {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data")
    /// The story's files (`l1b.gfmd`, `field-history.tsv`).
    static let story = data.appendingPathComponent("upgrade-v4")
    /// `gfmd digest` of the replica as the earlier gfmd printed it, before and after applying `l1b.gfmd`.
    static let digestBefore = "e189f6a370ebcbe85b387d9cd981f4e9e3239efd94b84072928e80f86ed00fc8"
    static let digestAfter = "998897b5bf585ffbb93dced4e83c4c7df7e12db0a5984678c7c0a7c59e98a883"

    /// A writable copy of the committed replica of `version` (git keeps no
    /// file modes: the key is made private again).
    static func copy(_ version: String = "upgrade-v4", into directory: TemporaryDirectory) throws -> URL {
        let replica = directory.path("sec")
        try FileManager.default.copyItem(at: data.appendingPathComponent(version).appendingPathComponent("sec"), to: replica)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: replica.appendingPathComponent("site.key").path)
        return replica
    }

    static func rows(_ database: URL, _ sql: String) throws -> [Row] {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: database.path, configuration: configuration).read { try Row.fetchAll($0, sql: sql) }
    }

    @Test("it opens and upgrades: the same digest, verify passes, bodies in packed blocks, checkpoints packed, the pending change still waits",
          arguments: ["upgrade-v4", "upgrade-v5"])
    func upgrades(version: String) throws {
        let directory = TemporaryDirectory()
        let folder = try Self.copy(version, into: directory)
        let database = folder.appendingPathComponent(Replica.databaseName)
        #expect(try Self.rows(database, "SELECT name FROM pragma_table_info('change') WHERE name = 'body'").count == 1)

        // A read command brings it up to date.
        let reading = try Replica.open(at: folder, access: .readOnly)
        #expect(try reading.digest() == Self.digestBefore)
        let verification = try reading.verify()
        #expect(verification.problems.isEmpty, "\(verification.problems)")
        #expect(verification.changes == 10)
        let pending = try reading.pendingChanges()
        #expect(pending.map(\.encoded.hash.short) == ["0450d54b7261"])
        #expect(pending.first?.missing.map(\.short) == ["4647c4e13425"])

        #expect(try Self.rows(database, "SELECT name FROM pragma_table_info('change') WHERE name IN ('ops', 'body')").isEmpty)
        #expect(try Self.rows(database, "SELECT name FROM pragma_table_info('record') WHERE name = 'fields'").isEmpty)
        #expect(try Self.rows(database, "SELECT DISTINCT co_authors FROM record").map { $0[0] as String } == ["[]"])
        let blocks = try Self.rows(database, "SELECT count(*), sum(length(packed) < size) FROM body_block")[0]
        #expect(blocks[0] as Int == 1 && blocks[1] as Int == 1, "the log's 8 bodies fit one block, stored compressed")
        #expect(try Self.rows(database, "SELECT count(*) FROM record WHERE length(state) < state_size")[0][0] as Int == 2)

        // The bundle it waited for releases it, to the state the earlier gfmd reached.
        let replica = try Replica.open(at: folder)
        let outcome = try replica.applyBundle(try [UInt8](Data(contentsOf: Self.story.appendingPathComponent("l1b.gfmd"))), fileName: "l1b.gfmd")
        #expect(outcome.report.releasedFromPending == 1)
        #expect(try replica.digest() == Self.digestAfter)
        #expect(try replica.verify().problems.isEmpty)
    }

    @Test("a stored body that no longer unpacks does not stop the upgrade: it is kept as found, and verify names its change")
    func damagedBody() throws {
        let directory = TemporaryDirectory()
        let folder = try Self.copy("upgrade-v5", into: directory)
        let database = folder.appendingPathComponent(Replica.databaseName)
        let damaged: Data = try DatabaseQueue(path: database.path).write { db in
            let hash = try #require(try Data.fetchOne(db, sql: "SELECT hash FROM change WHERE length(body) < size ORDER BY seq LIMIT 1"))
            try db.execute(sql: "UPDATE change SET body = zeroblob(length(body)) WHERE hash = ?", arguments: [hash])
            return hash
        }

        let replica = try Replica.open(at: folder)
        let found = try Self.rows(database, "SELECT b.packed, b.size FROM change c JOIN body_block b ON b.id = c.block WHERE c.hash = x'\(Hex.encode(damaged))'")
        #expect(found.count == 1 && (found[0][0] as Data).allSatisfy { $0 == 0 }, "the damaged body is kept as found, in a block of its own")
        let problems = try replica.verify().problems
        #expect(problems.contains { $0.kind == .damagedChange && $0.subject == Hex.encode(damaged) }, "\(problems)")
        #expect(try replica.list().map(\.title) == ["Philippine diaspora bonds"], "the practice, whose text it was, still reads")
    }

    @Test("its audit database answers with the field history the earlier gfmd kept in change.ops")
    func auditHistory() throws {
        let directory = TemporaryDirectory()
        let replica = try Replica.open(at: try Self.copy(into: directory), access: .readOnly)
        let audit = directory.path("audit.sqlite")
        let report = try replica.writeAuditDatabase(to: audit)
        #expect(report.changes == 9)
        let history = try Self.rows(audit, """
            SELECT seq, change, ifnull(field, ''), operation, value, supersedes FROM audit_field_history ORDER BY seq, rowid
            """).map { row in
                (0..<6).map { column -> String in
                    switch (row[column] as DatabaseValue).storage {
                    case .int64(let number): "\(number)"
                    case .string(let text): text
                    default: ""
                    }
                }
            }
        // As `sqlite3 -separator '\t'` printed the earlier replica's view.
        let expected = try String(contentsOf: Self.story.appendingPathComponent("field-history.tsv"), encoding: .utf8)
        #expect(history.map { $0.joined(separator: "\t") } == expected.split(separator: "\n").map(String.init))
    }
}
