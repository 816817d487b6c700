import Dispatch
import GFMDCore
import GFMDTestSupport
import Synchronization
import Testing

@Suite("Sequences (text merged character by character)")
struct SequenceTests {
    let alice = TestSite(seed: 1).id
    let bob = TestSite(seed: 2).id
    let carol = TestSite(seed: 3).id

    func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

    /// Types `text` one scalar at a time at `index`, recording the edits.
    func type(_ text: String, at index: Int, into state: inout SequenceState, as site: SiteID) -> [SequenceEdit] {
        var edits: [SequenceEdit] = []
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if case .inserted(let edit) = state.insert([scalar], at: index + offset, by: site) { edits.append(edit) }
        }
        return edits
    }

    @Test("copies of one sequence read from several threads at once all read the same text")
    func concurrentReads() {
        // Many blocks, so that a read far from the last edit walks between them.
        var state = SequenceState()
        var random = SeededGenerator(seed: 7)
        for _ in 0..<4_000 {
            let word = Array("word\(random.next() % 100) ".unicodeScalars)
            _ = state.insert(word, at: Int.random(in: 0...state.count, using: &random), by: alice)
        }
        let expected = Array(state.text.unicodeScalars)
        let shared = state
        let mismatches = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            var random = SeededGenerator(seed: UInt64(thread))
            let copy = shared
            for _ in 0..<20_000 {
                let index = Int.random(in: 0..<expected.count, using: &random)
                if copy.scalar(at: index) != expected[index] { mismatches.add(1, ordering: .relaxed) }
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
        #expect(shared.text == state.text)
    }

    @Test("local insertions and deletions read back")
    func local() {
        var state = SequenceState()
        _ = state.insert(scalars("Hello world"), at: 0, by: alice)
        _ = state.insert(scalars(","), at: 5, by: alice)
        _ = state.delete(at: 6, count: 6)
        _ = state.insert(scalars(" GFMD"), at: 6, by: alice)
        #expect(state.text == "Hello, GFMD")
        #expect(state.count == 11)
    }

    @Test("concurrent runs typed at the same place are never interleaved", arguments: [false, true])
    func noInterleaving(backward: Bool) throws {
        var base = SequenceState()
        let start = type("[]", at: 0, into: &base, as: carol)
        var a = base, b = base
        var editsA: [SequenceEdit] = [], editsB: [SequenceEdit] = []
        for (i, scalar) in "abc".unicodeScalars.enumerated() {
            if case .inserted(let e) = a.insert([scalar], at: backward ? 1 : 1 + i, by: alice) { editsA.append(e) }
        }
        for (i, scalar) in "xyz".unicodeScalars.enumerated() {
            if case .inserted(let e) = b.insert([scalar], at: backward ? 1 : 1 + i, by: bob) { editsB.append(e) }
        }
        var ab = SequenceState(), ba = SequenceState()
        for e in start { try ab.apply(e, by: carol); try ba.apply(e, by: carol) }
        for e in editsA { try ab.apply(e, by: alice) }
        for e in editsB { try ab.apply(e, by: bob) }
        for e in editsB { try ba.apply(e, by: bob) }
        for e in editsA { try ba.apply(e, by: alice) }
        #expect(ab.text == ba.text)
        #expect(ab.encoded == ba.encoded)
        let runA = backward ? "cba" : "abc", runB = backward ? "zyx" : "xyz"
        #expect(ab.text == "[\(runA)\(runB)]" || ab.text == "[\(runB)\(runA)]", "got \(ab.text)")
    }

    @Test("deleting what is already deleted changes nothing")
    func doubleDelete() throws {
        var a = SequenceState()
        guard case .inserted(let insert) = a.insert(scalars("abcdef"), at: 0, by: alice) else { return }
        var b = SequenceState()
        try b.apply(insert, by: alice)
        let fromA = a.delete(at: 1, count: 3)
        let fromB = b.delete(at: 2, count: 3)
        try a.apply(.delete(fromB), by: bob)
        try b.apply(.delete(fromA), by: alice)
        #expect(a.text == "a" + "f")
        #expect(a.encoded == b.encoded)
    }

    @Test("edits naming unknown elements or reusing ids are refused")
    func invalidEdits() throws {
        var state = SequenceState()
        let ghost = CharID(site: bob, counter: 7)
        #expect { try state.apply(.insert(counter: 0, left: ghost, right: nil, content: scalars("x")), by: alice) } throws: {
            ($0 as? ChangeError)?.code == .unknownElement
        }
        #expect { try state.apply(.delete([CharRange(site: bob, counter: 0, count: 1)]), by: alice) } throws: {
            ($0 as? ChangeError)?.code == .unknownElement
        }
        try state.apply(.insert(counter: 0, left: nil, right: nil, content: scalars("ab")), by: alice)
        #expect { try state.apply(.insert(counter: 1, left: nil, right: nil, content: scalars("c")), by: alice) } throws: {
            ($0 as? ChangeError)?.code == .duplicateElement
        }
        #expect(state.text == "ab")
    }

    @Test("encoding round-trips and copies are independent")
    func encodingAndCopies() throws {
        var state = SequenceState()
        _ = type("The quick brown fox", at: 0, into: &state, as: alice)
        _ = state.delete(at: 4, count: 6)
        _ = state.insert(scalars("slow "), at: 4, by: bob)
        var reader = ByteReader(state.encoded)
        var decoded = try SequenceState.decode(from: &reader, "test")
        #expect(decoded == state)
        #expect(decoded.text == "The slow brown fox")
        let copy = decoded
        _ = decoded.insert(scalars("!"), at: decoded.count, by: alice)
        #expect(copy.text == "The slow brown fox")
        #expect(decoded.text == "The slow brown fox!")
    }

    @Test("character boundaries agree with Swift's grapheme clusters, in plain ASCII and mixed texts, fresh, copied or decoded",
          arguments: 0..<12)
    func characterBoundaries(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        // Even seeds stay in plain ASCII (no CR): the fast path; odd ones mix in clusters and CR LF.
        let pieces = seed % 2 == 0 ? ["a", "b", " ", "\n", "xyz"] : ["a", " ", "\r", "\n", "\r\n", "e\u{301}", "\u{301}", "👍🏽", "🏽", "中文"]
        var state = SequenceState()
        for _ in 0..<40 {
            if state.count > 4, Bool.random(using: &random) {
                let index = Int.random(in: 0..<state.count, using: &random)
                _ = state.delete(at: index, count: min(state.count - index, Int.random(in: 1...3, using: &random)))
            } else {
                let piece = pieces.randomElement(using: &random)!
                _ = state.insert(scalars(piece), at: Int.random(in: 0...state.count, using: &random), by: [alice, bob].randomElement(using: &random)!)
            }
        }
        var reader = ByteReader(state.encoded)
        let decoded = try SequenceState.decode(from: &reader, "test")
        var copy = state
        _ = copy.insert(scalars("a"), at: copy.count, by: carol)
        var expected = Set([0])
        var offset = 0
        for character in state.text {
            offset += character.unicodeScalars.count
            expected.insert(offset)
        }
        for index in 0...state.count {
            #expect(state.isCharacterBoundary(index) == expected.contains(index), "\(index) in \(Array(state.text.unicodeScalars))")
            #expect(decoded.isCharacterBoundary(index) == expected.contains(index))
            if index < state.count { #expect(copy.isCharacterBoundary(index) == expected.contains(index)) }
        }
    }

    @Test("random concurrent edits on three sites converge in any causal delivery order", arguments: 0..<30)
    func randomConvergence(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let sites = [alice, bob, carol]
        var states = [SequenceState](repeating: SequenceState(), count: 3)
        var edits: [(SequenceEdit, SiteID)] = []          // every edit made, by number
        var seen: [[Int]] = [[], [], []]                  // edit numbers each site applied, in order
        func deliver(from: Int, to: Int) throws {
            let known = Set(seen[to])
            for number in seen[from] where !known.contains(number) {
                try states[to].apply(edits[number].0, by: edits[number].1)
                seen[to].append(number)
            }
        }
        for _ in 0..<120 {
            let i = Int.random(in: 0..<3, using: &random)
            if random.chance(0.2) {
                let from = Int.random(in: 0..<3, using: &random)
                if from != i { try deliver(from: from, to: i) }
                continue
            }
            let edit: SequenceEdit
            if states[i].count > 0 && random.chance(0.3) {
                let at = Int.random(in: 0..<states[i].count, using: &random)
                edit = .delete(states[i].delete(at: at, count: min(Int.random(in: 1...3, using: &random), states[i].count - at)))
            } else {
                let text = String(repeating: ["a", "b", "c"][i], count: Int.random(in: 1...4, using: &random))
                guard case .inserted(let e) = states[i].insert(scalars(text), at: Int.random(in: 0...states[i].count, using: &random), by: sites[i]) else { continue }
                edit = e
            }
            edits.append((edit, sites[i]))
            seen[i].append(edits.count - 1)
        }
        for _ in 0..<2 {
            for i in 0..<3 { for from in [0, 1, 2].shuffled(using: &random) where from != i { try deliver(from: from, to: i) } }
        }
        #expect(states[0].text == states[1].text && states[1].text == states[2].text, "seed \(seed)")
        #expect(states[0].encoded == states[1].encoded && states[1].encoded == states[2].encoded, "seed \(seed)")
        // A fresh replica receiving every edit in one causal order agrees too.
        var fresh = SequenceState()
        for number in seen[2] { try fresh.apply(edits[number].0, by: edits[number].1) }
        #expect(fresh.encoded == states[0].encoded, "seed \(seed)")
    }

    @Test("the automerge-paper trace replays to its final text")
    func automergePaper() throws {
        let trace = try EditingTrace.load("automerge-paper.json.gz")
        var state = SequenceState()
        var replica = SequenceState()
        var pending: [SequenceEdit] = []
        for (n, patch) in trace.patches.enumerated() {
            if patch.deleteCount > 0 { pending.append(.delete(state.delete(at: patch.position, count: patch.deleteCount))) }
            if !patch.text.isEmpty {
                if case .inserted(let e) = state.insert(Array(patch.text.unicodeScalars), at: patch.position, by: alice) { pending.append(e) }
            }
            if n % 1000 == 999 {
                for e in pending { try replica.apply(e, by: alice) }
                pending = []
            }
        }
        for e in pending { try replica.apply(e, by: alice) }
        #expect(state.text == trace.endContent)
        #expect(replica.text == trace.endContent)
        #expect(replica.encoded == state.encoded)
    }
}
