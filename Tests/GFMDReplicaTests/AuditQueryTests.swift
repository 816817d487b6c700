import Foundation
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import GRDB
import Testing

/// The audit questions of `Protocol/storage.md`, answered by the queries
/// printed there (read from the page itself), against the audit database
/// `gfmd audit-db` writes of a real replica, opened as the `sqlite3` shell
/// would open it.
@Suite("Audit SQL: the queries of storage.md")
struct AuditQueryTests {
    /// The `sql` blocks of storage.md, by their first line (a `-- ` comment).
    static let queries: [String: String] = {
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocol/storage.md")
        let text = (try? String(contentsOf: page, encoding: .utf8)) ?? ""
        var queries: [String: String] = [:]
        for block in text.components(separatedBy: "```sql\n").dropFirst() {
            let sql = block.components(separatedBy: "```")[0]
            guard sql.hasPrefix("-- ") else { continue }
            queries[String(sql.prefix { $0 != "\n" }.dropFirst(3))] = sql
        }
        return queries
    }()

    /// A hub that received, in two bundles, a PHL practice created by one
    /// laptop and edited concurrently by two, and a change forged with MEX's key.
    struct Scene {
        let fixture = ReplicaFixture()
        let hub: Replica
        let practice: RecordID
        let forged: ChangeHash
        /// Before this time the hub held only the first bundle.
        let betweenBundles: String
        /// The hub's audit database (`gfmd audit-db`).
        let audit: URL

        init() throws {
            hub = try fixture.replica("hub", participant: "SEC")
            let phl = try fixture.replica("phl", author: "Maria Santos")
            let phl2 = try fixture.replica("phl2", author: "Jose Reyes")
            let mex = try fixture.replica("mex", participant: "MEX")
            practice = try phl.createRecord(type: "practice", title: "Diaspora bonds",
                                            edits: [.add(field: "partners", value: "IOM"), .set(field: "summary", value: "Bonds.")])
            try hub.applyBundle(try phl.createBundle(for: .secretariat).bytes, fileName: "phl-1.gfmd")
            try phl.send(to: phl2)
            fixture.clock.advance(by: 60_000)
            try phl.edit(practice.hex, [.set(field: "title", value: "Diaspora bonds 2026"), .remove(field: "partners", value: "IOM"),
                                        .set(field: "summary", value: "Bonds for all.")])
            try phl2.edit(practice.hex, [.set(field: "title", value: "Diaspora bonds (Philippines)"), .add(field: "partners", value: "ILO")])
            try phl.send(to: phl2)
            try hub.applyBundle(try phl2.createBundle(for: .secretariat).bytes, fileName: "phl2-1.gfmd")
            try hub.applyBundle(try mex.createBundle(for: .secretariat).bytes, fileName: "mex-1.gfmd")
            let title = try hub.record(practice.hex).registerField("title")!.currentWrites
            let forgery = Forgery.bundle(
                key: try Forgery.siteKey(in: mex.directory), participant: "MEX", author: "Luis Garcia", record: practice,
                dependencies: title + (try mex.read { try $0.trustChanges(concerning: mex.identity.siteID) }),
                operations: [.set(field: "title", value: .string("Taken over"), pred: title)],
                at: HybridTimestamp(milliseconds: fixture.clock.nowMilliseconds(), counter: 0))
            try hub.applyBundle(forgery.bytes, fileName: "forged.gfmd")
            forged = forgery.change
            audit = fixture.directory.path("audit.sqlite")
            _ = try hub.writeAuditDatabase(to: audit)
            betweenBundles = try Self.query(audit, "SELECT applied_at FROM audit_bundle WHERE file_name = 'phl2-1.gfmd'")[0]["applied_at"]
        }

        /// Rows of `sql` with named `arguments` in the database at `path`, on a read-only connection of its own.
        static func query(_ path: URL, _ sql: String, _ arguments: [String: String] = [:]) throws -> [Row] {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path.path, configuration: configuration)
            return try queue.read { try Row.fetchAll($0, sql: sql, arguments: StatementArguments(arguments)) }
        }

        func ask(_ question: String, _ arguments: [String: String]) throws -> [Row] {
            let sql = try #require(AuditQueryTests.queries[question], "storage.md has no query headed \"-- \(question)\"")
            return try Self.query(audit, sql, arguments)
        }
    }

    @Test("who changed the title: each write with its author, delegation, site, time and bundle by file and checksum")
    func whoChanged() throws {
        let scene = try Scene()
        let rows = try scene.ask("who changed :field of :record", ["record": String(scene.practice.hex.prefix(8)), "field": "title"])
        // The create first; the two concurrent writes in the order the bundle carried them.
        #expect(rows.map { "\($0["value"] as String) by \($0["author"] as String)" }.sorted() == [
            "\"Diaspora bonds (Philippines)\" by Jose Reyes", "\"Diaspora bonds 2026\" by Maria Santos", "\"Diaspora bonds\" by Maria Santos",
        ])
        #expect(rows.first?["value"] == "\"Diaspora bonds\"")
        #expect(rows.allSatisfy { $0["participant"] == "PHL" && $0["operation"] == "set" })
        #expect(rows.map { $0["bundle_file"] as String } == ["phl-1.gfmd", "phl2-1.gfmd", "phl2-1.gfmd"])
        let ledger = try scene.hub.read { try $0.bundles() }
        let checksums = Dictionary(uniqueKeysWithValues: ledger.map { ($0.fileName ?? "", $0.checksum.hex) })
        #expect(rows.map { $0["bundle_checksum"] as String } == rows.map { checksums[$0["bundle_file"] as String] })
        #expect(rows.allSatisfy { ($0["site"] as String).count == 32 && ($0["site"] as String) == ($0["site"] as String).lowercased() })
        #expect(rows.allSatisfy { ($0["time"] as String).hasSuffix("Z") })

        let summary = try scene.ask("who changed :field of :record", ["record": scene.practice.hex, "field": "summary"])
        #expect(summary.map { $0["value"] as String } == [#"{"inserted":"Bonds.","deleted":""}"#, #"{"inserted":" for all","deleted":""}"#])
    }

    @Test("the record as held before a time: values no held change supersedes, both values of a conflict, the removal of a set element")
    func asOf() throws {
        let scene = try Scene()
        func fields(before: String) throws -> [String] {
            try scene.ask(":record as held before :before", ["record": scene.practice.hex, "before": before])
                .map { "\($0["field"] as String? ?? "-") \($0["operation"] as String) \($0["value"] as String? ?? "null")" }
        }
        #expect(try fields(before: scene.betweenBundles) == [#"partners add "IOM""#, #"title set "Diaspora bonds""#])
        #expect(try fields(before: "9999").sorted() == [#"partners add "ILO""#, #"title set "Diaspora bonds (Philippines)""#, #"title set "Diaspora bonds 2026""#])
        #expect(try fields(before: "2000-01-01").isEmpty)
        // The same conflict as the CLI's view of the record.
        #expect(try Set(scene.hub.record(scene.practice.hex).registerField("title")!.entries.compactMap(\.value.stringValue))
                == ["Diaspora bonds 2026", "Diaspora bonds (Philippines)"])
    }

    @Test("what was forged: the change signed with MEX's key on a PHL record, its code and the bundle that brought it")
    func forged() throws {
        let scene = try Scene()
        let rows = try scene.ask("what was refused, why, and who sent it", [:])
        #expect(rows.map { $0["change"] as String } == [scene.forged.hex])
        #expect(rows.map { $0["file_name"] as String } == ["forged.gfmd"])
        #expect(rows.map { $0["sender_participant"] as String } == ["MEX"])
        #expect(rows.allSatisfy { !($0["code"] as String).isEmpty && !($0["reason"] as String).isEmpty })
    }

    @Test("the audit database is a copy: the replica keeps no field history, an existing file is never overwritten")
    func auditDatabaseIsACopy() throws {
        let scene = try Scene()
        let replica = scene.hub.directory.appendingPathComponent(Replica.databaseName)
        #expect(try Scene.query(replica, "SELECT name FROM sqlite_schema WHERE name = 'audit_field_history'").isEmpty)
        #expect(try Scene.query(replica, "SELECT name FROM pragma_table_info('change') WHERE name = 'ops'").isEmpty)
        // Every change of the log is in the copy, with its operations.
        let logged = try Scene.query(replica, "SELECT lower(hex(hash)) AS change FROM change ORDER BY seq").map { $0["change"] as String }
        let history = try Scene.query(scene.audit, "SELECT DISTINCT change FROM audit_field_history ORDER BY seq").map { $0["change"] as String }
        #expect(history == logged)
        #expect(try Scene.query(scene.audit, "PRAGMA journal_mode")[0][0] == "delete")

        let before = try Data(contentsOf: scene.audit)
        #expect(throws: StoreError.self) { try scene.hub.writeAuditDatabase(to: scene.audit) }
        #expect(try Data(contentsOf: scene.audit) == before)
    }
}
