import GFMDCore
import GFMDTestSupport
import Testing

@Suite("Multi-value register")
struct RegisterTests {
    let a = Hash256.of([1]), b = Hash256.of([2]), c = Hash256.of([3])
    let t1 = HybridTimestamp(milliseconds: 10, counter: 0), t2 = HybridTimestamp(milliseconds: 20, counter: 0)

    @Test("concurrent writes are kept side by side and a winner is chosen deterministically")
    func concurrent() {
        var register = MultiValueRegister<String>()
        register.write("first", by: a, at: t1, superseding: [])
        register.write("second", by: b, at: t2, superseding: [])
        #expect(register.entries.count == 2)
        #expect(register.isConflicted)
        #expect(register.winner?.value == "second")
    }

    @Test("a write supersedes exactly the writes it names")
    func pred() {
        var register = MultiValueRegister<String>()
        register.write("first", by: a, at: t1, superseding: [])
        register.write("second", by: b, at: t2, superseding: [])
        register.write("resolved", by: c, at: t2, superseding: [a, b])
        #expect(register.entries.map(\.value) == ["resolved"])
        #expect(!register.isConflicted)
    }

    @Test("a write arriving after one that superseded it stays superseded")
    func lateArrival() {
        var register = MultiValueRegister<String>()
        register.write("second", by: b, at: t2, superseding: [a])
        register.write("first", by: a, at: t1, superseding: [])
        #expect(register.entries.map(\.value) == ["second"])
    }

    @Test("equal concurrent values are not a conflict")
    func agreeing() {
        var register = MultiValueRegister<String>()
        register.write("same", by: a, at: t1, superseding: [])
        register.write("same", by: b, at: t2, superseding: [])
        #expect(!register.isConflicted)
    }

    /// Random registers built from a shared pool of writes.
    static func randomRegisters(seed: UInt64) -> [MultiValueRegister<Int>] {
        var random = SeededGenerator(seed: seed)
        let writes = (0..<8).map { Hash256.of([UInt8($0), UInt8(seed & 0xFF)]) }
        return (0..<3).map { _ in
            var register = MultiValueRegister<Int>()
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                let index = Int.random(in: 0..<writes.count, using: &random)
                let pred = writes.prefix(index).filter { _ in random.chance(0.4) }
                register.write(index, by: writes[index], at: HybridTimestamp(rawValue: UInt64(index)), superseding: Array(pred))
            }
            return register
        }
    }

    @Test("merge is commutative, associative and idempotent", arguments: 0..<200)
    func mergeLaws(seed: UInt64) {
        let r = Self.randomRegisters(seed: seed)
        #expect(r[0].merged(with: r[1]) == r[1].merged(with: r[0]))
        #expect(r[0].merged(with: r[1]).merged(with: r[2]) == r[0].merged(with: r[1].merged(with: r[2])))
        #expect(r[0].merged(with: r[0]) == r[0])
    }
}

@Suite("Add-wins observed-remove set")
struct ObservedRemoveSetTests {
    let a = Hash256.of([1]), b = Hash256.of([2])

    @Test("a removal takes away only the additions it observed: a concurrent addition wins")
    func addWins() {
        var set = ObservedRemoveSet<String>()
        set.add("IOM", tag: a)
        set.add("IOM", tag: b)  // concurrent re-addition elsewhere
        set.remove("IOM", observed: [a])
        #expect(set.elements == ["IOM"])
        set.remove("IOM", observed: [b])
        #expect(set.elements.isEmpty)
    }

    @Test("an addition arriving after the removal that observed it stays removed")
    func lateAddition() {
        var set = ObservedRemoveSet<String>()
        set.remove("ILO", observed: [a])
        set.add("ILO", tag: a)
        #expect(!set.contains("ILO"))
    }

    @Test("merge is commutative, associative and idempotent", arguments: 0..<200)
    func mergeLaws(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let tags = (0..<6).map { Hash256.of([UInt8($0)]) }
        let sets: [ObservedRemoveSet<String>] = (0..<3).map { _ in
            var set = ObservedRemoveSet<String>()
            for _ in 0..<Int.random(in: 0...8, using: &random) {
                let element = random.pick(["IOM", "ILO", "OECD"])
                if random.chance(0.6) {
                    set.add(element, tag: random.pick(tags))
                } else {
                    set.remove(element, observed: tags.filter { _ in random.chance(0.3) })
                }
            }
            return set
        }
        #expect(sets[0].merged(with: sets[1]) == sets[1].merged(with: sets[0]))
        #expect(sets[0].merged(with: sets[1]).merged(with: sets[2]) == sets[0].merged(with: sets[1].merged(with: sets[2])))
        #expect(sets[0].merged(with: sets[0]) == sets[0])
    }
}
