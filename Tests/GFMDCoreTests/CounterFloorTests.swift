import GFMDCore
import GFMDTestSupport
import Testing

@Suite("Counters of a copied replica folder")
struct CounterFloorTests {
    let site = TestSite(seed: 1).id
    let other = TestSite(seed: 2).id

    @Test("new counters move to the floor; references to held elements and other sites' stay; a deletion range is split where the new ones begin")
    func shift() {
        let edits: [SequenceEdit] = [
            .insert(counter: 5, left: CharID(site: site, counter: 4), right: CharID(site: other, counter: 9), content: ["a", "b"]),
            .insert(counter: 7, left: CharID(site: site, counter: 6), right: nil, content: ["c"]),
            .delete([CharRange(site: site, counter: 3, count: 4), CharRange(site: other, counter: 0, count: 2)]),
        ]
        let floor: UInt64 = 1 << 40
        let shifted = CounterFloor.shift(edits, of: site, from: 5, to: floor)
        #expect(shifted == [
            .insert(counter: floor, left: CharID(site: site, counter: 4), right: CharID(site: other, counter: 9), content: ["a", "b"]),
            .insert(counter: floor + 2, left: CharID(site: site, counter: floor + 1), right: nil, content: ["c"]),
            .delete([CharRange(site: site, counter: 3, count: 2), CharRange(site: site, counter: floor, count: 2),
                     CharRange(site: other, counter: 0, count: 2)]),
        ])
        #expect(CounterFloor.shift(edits, of: site, from: floor + 3, to: floor) == edits, "a sequence past the floor is left alone")
    }

    @Test("a copy's paragraph and the original's, typed into one text with the same counters before, merge when the copy's are raised")
    func bothParagraphsMerge() throws {
        var base = SequenceState()
        _ = base.insert(Array("Shared.".unicodeScalars), at: 0, by: site)
        var original = base, copy = base
        let first = SequenceWriter.rewrite(&original, to: "Shared. From the original.", by: site)
        let second = CounterFloor.shift(SequenceWriter.rewrite(&copy, to: "Shared. From the copy.", by: site),
                                        of: site, from: base.nextCounter(for: site), to: 1 << 40)
        var merged = base
        for edit in first + second { try merged.apply(edit, by: site) }
        #expect(merged.text.contains("From the original.") && merged.text.contains("From the copy."))
        var other = base
        for edit in second + first { try other.apply(edit, by: site) }
        #expect(other.text == merged.text, "the same text whatever the order")
    }
}
