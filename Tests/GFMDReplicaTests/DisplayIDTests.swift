import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

@Suite("Short ids for listings")
struct DisplayIDTests {
    @Test("the ids of a listing, found in one read, are those found one by one, and name one record each")
    func listing() throws {
        let fixture = ReplicaFixture()
        let laptop = try fixture.replica("laptop")
        let ids = try (0..<60).map { try laptop.createRecord(type: "practice", title: "Practice \($0)") }
        let together = try laptop.read { try $0.uniquePrefixLengths(of: ids, minimum: 1) }
        // The replica also holds its trust record, which a prefix must tell apart too.
        let held = try laptop.read { try $0.allRecordIDs() }
        for id in ids {
            let alone = try laptop.read { try $0.uniquePrefixLength(of: id, minimum: 1) }
            #expect(together[id] == alone)
            let prefix = String(id.hex.prefix(alone))
            #expect(ids.filter { $0.hex.hasPrefix(prefix) } == [id], "\(prefix) names one record")
            if alone > 1 { #expect(held.filter { $0.hex.hasPrefix(id.hex.prefix(alone - 1)) }.count > 1, "one digit fewer is ambiguous") }
        }
        #expect(try laptop.displayIDs(ids) == Dictionary(uniqueKeysWithValues: try ids.map { ($0, try laptop.displayID($0)) }))
    }
}
