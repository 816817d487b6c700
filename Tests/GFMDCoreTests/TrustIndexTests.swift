import GFMDCore
import GFMDTestSupport
import Testing

/// The trust index a replica keeps between applies: its current state is
/// updated as trust-record changes are added, not recomputed.
@Suite("The trust index's current state")
struct TrustIndexTests {
    @Test("kept as changes are added, it is the state of all of them, whatever order they came in")
    func incrementalStateIsOrderFree() throws {
        var universe = HostileUniverse()
        let key = try SiteSigningKey(rawRepresentation: [UInt8](repeating: 77, count: 32))
        // Two concurrent certificates of one laptop (a renewal made twice), then a revocation of the first.
        let (first, firstChange) = universe.lateActor(key: key, participant: "PHL")
        let (_, secondChange) = universe.lateActor(key: key, participant: "PHL")
        let revocation = universe.revocation(of: first.certificate, on: [firstChange.hash, secondChange.hash])
        let root = universe.root.publicKey

        var states: [TrustState] = []
        for late in [[firstChange, secondChange, revocation], [secondChange, firstChange, revocation]] {
            let index = TrustIndex(root: root, changes: universe.baseTrust)
            var seen = index.current
            for change in late {
                index.add(change)
                let kept = index.current
                #expect(kept != seen, "each change here certifies or revokes")
                seen = kept
            }
            let recomputed = TrustIndex(root: root, changes: universe.baseTrust + late).current
            #expect(index.current == recomputed)
            #expect(index.current == index.state(at: index.headsInOrder))
            states.append(index.current)
        }
        #expect(states[0] == states[1])
        #expect(states[0].certificates[key.publicKey.siteID]?.map(\.serial) == [first.certificate.serial, first.certificate.serial + 1])
        #expect(states[0].revokedSerials == [first.certificate.serial])
    }
}
