import GFMDCore
import GFMDTestSupport
import Testing

@Suite("Change encoding")
struct ChangeEncodingTests {
    static func sample() -> EncodedChange {
        var site = TestSite(seed: 1, author: "María Santos")
        let root = site.create(testRecordID(1))
        return site.change(testRecordID(1), on: [root.hash], [
            .set(field: "title", value: .string("Bonos de la diáspora"), pred: [root.hash]),
            .add(field: "partners", element: .string("IOM")),
            .remove(field: "themes", element: .string("old"), observed: [root.hash]),
            .set(field: "sections", value: .list(["One", "Two"]), pred: []),
            .setDeleted(false, pred: []),
            .unknown(kind: 99, payload: [1, 2, 3]),
        ])
    }

    @Test("a change decodes to itself and keeps its id")
    func roundTrip() throws {
        let original = Self.sample()
        let decoded = try EncodedChange(bytes: original.bytes)
        #expect(decoded.change == original.change)
        #expect(decoded.hash == original.hash)
        #expect(decoded.change.canonicalEncoding() == original.bytes)
    }

    @Test("operations of an unknown kind are kept byte for byte")
    func unknownOperation() throws {
        let decoded = try EncodedChange(bytes: Self.sample().bytes)
        #expect(decoded.change.operations.last == .unknown(kind: 99, payload: [1, 2, 3]))
    }

    @Test("the id covers the dependencies: altering history alters every later id")
    func idCoversDependencies() {
        var site = TestSite(seed: 1)
        let a = site.create(testRecordID(1), title: "a")
        var other = TestSite(seed: 1)
        let b = other.create(testRecordID(1), title: "b")
        var s1 = TestSite(seed: 2), s2 = TestSite(seed: 2)
        let onA = s1.change(testRecordID(1), on: [a.hash], [.add(field: "themes", element: .string("x"))])
        let onB = s2.change(testRecordID(1), on: [b.hash], [.add(field: "themes", element: .string("x"))])
        #expect(onA.hash != onB.hash)
    }

    @Test("every truncation of a change is refused")
    func truncation() {
        let bytes = Self.sample().bytes
        for length in 0..<bytes.count {
            #expect(throws: (any Error).self, "prefix of \(length) bytes") { try EncodedChange(bytes: Array(bytes.prefix(length))) }
        }
    }

    @Test("a change of an unknown encoding version is refused")
    func version() {
        var bytes = Self.sample().bytes
        bytes[0] = 4
        #expect { try EncodedChange(bytes: bytes) } throws: { ($0 as? FormatError)?.code == .unsupportedVersion }
    }

    @Test("trailing bytes are refused")
    func trailing() {
        #expect { try EncodedChange(bytes: Self.sample().bytes + [0]) } throws: { ($0 as? FormatError)?.code == .trailingBytes }
    }

    @Test("structural rules are enforced on decoding")
    func wellFormed() {
        var site = TestSite(seed: 3)
        let record = testRecordID(3)
        let orphan = site.change(record, on: [], [.set(field: "title", value: .string("x"), pred: [])])
        #expect { try EncodedChange(bytes: orphan.bytes) } throws: { ($0 as? ChangeError)?.code == .missingCreate }
        let root = site.create(record)
        let twice = site.change(record, on: [root.hash], [
            .set(field: "title", value: .string("x"), pred: []), .set(field: "title", value: .string("y"), pred: []),
        ])
        #expect { try EncodedChange(bytes: twice.bytes) } throws: { ($0 as? ChangeError)?.code == .repeatedField }
        let lateCreate = site.change(record, on: [root.hash], [
            .set(field: "title", value: .string("x"), pred: []), .create(type: "practice", owner: "PHL"),
        ])
        #expect { try EncodedChange(bytes: lateCreate.bytes) } throws: { ($0 as? ChangeError)?.code == .misplacedCreate }
        let empty = site.change(record, on: [root.hash], [])
        #expect { try EncodedChange(bytes: empty.bytes) } throws: { ($0 as? ChangeError)?.code == .empty }
    }
}
