import Foundation
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

@Suite("Record views: what gfmd show and list print, from the library")
struct RecordViewTests {
    @Test("a view encodes the displayed fields, sets, conflicts and authors; a never-accepted record has no published view")
    func encoding() throws {
        let fixture = ReplicaFixture()
        let laptop1 = try fixture.replica("laptop1", author: "Maria Santos"), laptop2 = try fixture.replica("laptop2")
        let id = try laptop1.createRecord(type: "practice", title: "Diaspora bonds", edits: [.add(field: "partners", value: "IOM")])
        try laptop1.send(to: laptop2)
        try laptop1.edit(id.hex, [.set(field: "title", value: "One")])
        try laptop2.edit(id.hex, [.set(field: "title", value: "Two")])
        try laptop2.send(to: laptop1)
        let view = try laptop1.view(String(id.hex.prefix(8)))
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(view)) as? [String: Any])
        #expect(json["status"] as? String == "draft" && json["owner"] as? String == "PHL" && json["published"] as? Bool == false)
        #expect(json["conflicted_fields"] as? [String] == ["title"])
        #expect((json["sets"] as? [String: [String]])?["partners"] == ["IOM"])
        #expect((json["fields"] as? [String: String])?["title"] != nil)
        #expect(json["created_by"] as? String == "Maria Santos (PHL)")
        #expect(json["review_note"] == nil, "absent optionals are left out, as before")
        #expect(throws: InputError.self) { try laptop1.view(id.hex, published: true) }
        let listed = try #require(try JSONSerialization.jsonObject(with: encoder.encode(laptop1.list())) as? [[String: Any]])
        #expect(listed.first?["status"] as? String == "draft" && listed.first?["conflicted"] as? Bool == true)
    }

    @Test("views are read from several tasks at once while a writer applies")
    func concurrentReads() async throws {
        let fixture = ReplicaFixture()
        let hub = try fixture.replica("hub", participant: "SEC"), laptop = try fixture.replica("laptop")
        let ids = try (0..<20).map { try laptop.createRecord(type: "practice", title: "Practice \($0)") }
        try laptop.send(to: hub)
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for index in 0..<20 { try laptop.edit(ids[index].hex, [.set(field: "start_date", value: "2025-01-15")]) }
                try laptop.send(to: hub)
                return 0
            }
            for _ in 0..<4 {
                group.addTask { try ids.map { try hub.view($0.hex).state.header.type }.count { $0 == "practice" } }
            }
            for try await count in group where count != 0 { #expect(count == 20) }
        }
        #expect(try ids.allSatisfy { try hub.view($0.hex).fields["start_date"] == .string("2025-01-15") })
    }
}
