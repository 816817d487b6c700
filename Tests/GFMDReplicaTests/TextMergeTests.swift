import Foundation
import GFMDCore
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import Testing

@Suite("Texts merged character by character, across real replicas")
struct TextMergeTests {
    /// Applies a trace patch through a session.
    static func apply(_ patch: EditingTrace.Patch, to session: TextSession) throws {
        if patch.deleteCount > 0 { try session.delete(at: patch.position, count: patch.deleteCount) }
        if !patch.text.isEmpty { try session.insert(patch.text, at: patch.position) }
    }

    @Test("the sequential friendsforever trace replays through the text API, and survives a restart")
    func sequentialTrace() throws {
        let trace = try EditingTrace.load("friendsforever_flat.json.gz")
        let fixture = ReplicaFixture()
        let replica = try fixture.replica("author")
        let id = try replica.createRecord(type: "practice", title: "Friends forever")
        let session = try replica.textSession(id.hex, field: "summary")
        for (index, patch) in trace.patches.enumerated() {
            try Self.apply(patch, to: session)
            if index % 500 == 499 { try session.commit() }
        }
        try session.commit()
        #expect(session.text == trace.endContent)
        // A new process reads it back from the checkpoint and the changes after it.
        let reopened = try fixture.reopen("author")
        #expect(try reopened.record(id.hex).displayedText("summary") == trace.endContent)
        let copy = try fixture.replica("copy", participant: "SEC")
        try replica.send(to: copy)
        #expect(try copy.record(id.hex).displayedText("summary") == trace.endContent)
        // PHL may read the secretariat's certificates: once it holds the copy's, what the copy holds for PHL is what PHL holds.
        try reopened.applyBundle(try copy.createBundle(for: ParticipantCode("PHL")!).bytes)
        #expect(try copy.digest(for: ParticipantCode("PHL")!) == reopened.digest())
    }

    @Test("the concurrent friendsforever trace: one replica per agent, bundles at every merge, both reach the end")
    func concurrentTrace() throws {
        let trace = try EditingTrace.load("friendsforever.json.gz")
        let txns = trace.txns
        let fixture = ReplicaFixture()
        let agents = try (0..<(trace.numAgents ?? 2)).map { try fixture.replica("agent\($0)", author: "Agent \($0)") }
        let id = try agents[0].createRecord(type: "practice", title: "Friends forever")
        for agent in agents.dropFirst() { try agents[0].send(to: agent) }
        // A transaction another agent builds on must end a commit of its own agent.
        var neededByOthers = Set<Int>()
        for txn in txns {
            for parent in txn.parents ?? [] where txns[parent].agent != txn.agent { neededByOthers.insert(parent) }
        }
        var sessions = try agents.map { try $0.textSession(id.hex, field: "summary") }
        var committedThrough = [Int](repeating: -1, count: agents.count)       // last txn each agent committed
        var lastApplied = [Int](repeating: -1, count: agents.count)            // last txn each agent applied
        var commitEnds: [[(txn: Int, changes: Set<ChangeHash>)]] = Array(repeating: [], count: agents.count)
        var received = [[Int]](repeating: [Int](repeating: -1, count: agents.count), count: agents.count)
        var bundles = 0
        func commit(_ agent: Int, through txn: Int) throws {
            if let change = try sessions[agent].commit() {
                commitEnds[agent].append((txn, [change]))
            }
            committedThrough[agent] = txn
        }
        for (index, txn) in txns.enumerated() {
            let agent = txn.agent ?? 0
            // Bring in exactly the other agents' work this transaction builds on.
            for other in agents.indices where other != agent {
                let needed = (txn.parents ?? []).filter { txns[$0].agent == other }.max() ?? -1
                guard needed > received[agent][other] else { continue }
                precondition(committedThrough[other] >= needed, "parents are committed before use")
                try commit(agent, through: lastApplied[agent])
                let changes = commitEnds[other].filter { $0.txn > received[agent][other] && $0.txn <= needed }.reduce(into: Set<ChangeHash>()) { $0.formUnion($1.changes) }
                if !changes.isEmpty {
                    try agents[agent].applyBundle(try agents[other].createBundle(selection: changes).bytes)
                    bundles += 1
                }
                received[agent][other] = needed
                sessions[agent] = try agents[agent].textSession(id.hex, field: "summary")
            }
            do {
                for patch in txn.patches { try Self.apply(patch, to: sessions[agent]) }
            } catch {
                Issue.record("transaction \(index) of agent \(agent) (parents \(txn.parents ?? [])): \(error)")
                throw error
            }
            lastApplied[agent] = index
            if neededByOthers.contains(index) { try commit(agent, through: index) }
        }
        for agent in agents.indices { try commit(agent, through: lastApplied[agent]) }
        for agent in agents { for other in agents where other !== agent { try agent.send(to: other) } }
        #expect(bundles > 100, "the agents exchanged bundles at their merges")
        for agent in agents {
            #expect(try agent.record(id.hex).displayedText("summary") == trace.endContent)
            #expect(try agent.pending().count == 0)
        }
        #expect(try Set(agents.map { try $0.digest() }).count == 1)
    }

    @Test("random concurrent runs on three replicas, random partial deliveries: same text, no run interleaved",
          arguments: 1...6 as ClosedRange<UInt64>)
    func randomRuns(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let fixture = ReplicaFixture()
        let replicas = try (0..<3).map { try fixture.replica("r\($0)", participant: ["PHL", "PHL", "SEC"][$0]) }
        let id = try replicas[0].createRecord(type: "practice", title: "Runs", edits: [.set(field: "summary", value: "<>")])
        for other in replicas.dropFirst() { try replicas[0].send(to: other) }
        var markers: [String] = []
        for step in 0..<30 {
            let actor = Int.random(in: 0..<3, using: &random)
            if random.chance(0.3) {
                let target = Int.random(in: 0..<3, using: &random)
                guard target != actor else { continue }
                let log = try replicas[actor].log(LogFilter(record: id.hex)).map(\.change)
                let subset = Set(log.filter { _ in random.chance(0.6) })
                if !subset.isEmpty { try replicas[target].applyBundle(try replicas[actor].createBundle(selection: subset).bytes) }
                continue
            }
            let session = try replicas[actor].textSession(id.hex, field: "summary")
            // Insert a marker between two others, typed character by character.
            let marker = "[\(["a", "b", "c"][actor])\(step)]"
            markers.append(marker)
            let current = Array(session.text.unicodeScalars)
            let boundaries = (0...current.count).filter { $0 == 0 || "]<>".unicodeScalars.contains(current[$0 - 1]) }
            var position = random.pick(boundaries)
            for character in marker {
                try session.insert(String(character), at: position)
                position += 1
            }
            try session.commit()
        }
        for _ in 0..<2 { for a in replicas { for b in replicas where a !== b { try a.send(to: b) } } }
        let texts = try replicas.map { try $0.record(id.hex).displayedText("summary") ?? "" }
        #expect(Set(texts).count == 1, "seed \(seed)")
        for marker in markers { #expect(texts[0].contains(marker), "seed \(seed): \(marker) was interleaved in \(texts[0])") }
        #expect(try Set(replicas.map { try $0.digest() }).count == 1, "seed \(seed)")
    }

    @Test("Arabic, Chinese, accented French (NFC and NFD input) and emoji with skin tones merge correctly")
    func unicode() throws {
        let fixture = ReplicaFixture()
        let laptop1 = try fixture.replica("laptop1"), laptop2 = try fixture.replica("laptop2")
        let start = "مرحبا بالعالم\n你好，世界\nL'été à Genève\nBravo 👍🏽 team"
        let id = try laptop1.createRecord(type: "practice", title: "Multilingual", edits: [.set(field: "summary", value: start)])
        try laptop1.send(to: laptop2)
        // Laptop 1 edits the Arabic and Chinese lines; laptop 2 the French line (typed decomposed) and the emoji.
        try laptop1.edit(id.hex, [.set(field: "summary", value: "مرحبا بالعالم كله\n你好，美丽的世界\nL'été à Genève\nBravo 👍🏽 team")])
        let decomposed = "L'e\u{301}te\u{301} a\u{300} Gene\u{300}ve, encore"
        try laptop2.edit(id.hex, [.set(field: "summary", value: "مرحبا بالعالم\n你好，世界\n\(decomposed)\nBravo 👍🏽👋🏿 team")])
        try laptop1.send(to: laptop2)
        try laptop2.send(to: laptop1)
        let expected = "مرحبا بالعالم كله\n你好，美丽的世界\nL'été à Genève, encore\nBravo 👍🏽👋🏿 team"
        for replica in [laptop1, laptop2] {
            let text = try #require(try replica.record(id.hex).displayedText("summary"))
            #expect(text == expected)
            #expect(text.unicodeScalars.elementsEqual(expected.precomposedStringWithCanonicalMapping.unicodeScalars), "stored in NFC")
        }
        #expect(try laptop1.digest() == laptop2.digest())
    }

    @Test("an edit inside a character (an emoji and its skin tone) or with bidi overrides is refused")
    func characterBoundaries() throws {
        let fixture = ReplicaFixture()
        let replica = try fixture.replica("laptop")
        let id = try replica.createRecord(type: "practice", title: "Emoji", edits: [.set(field: "summary", value: "ok 👍🏽 e\u{301}")])
        let session = try replica.textSession(id.hex, field: "summary")
        // "ok " is 3 scalars; 👍 is at 3, its skin tone at 4.
        #expect(throws: InputError.self) { try session.insert("x", at: 4) }
        #expect(throws: InputError.self) { try session.delete(at: 3, count: 1) }
        try session.insert("!", at: 5)
        #expect(throws: InputError.self) { try session.insert("\u{202E}evil", at: 0) }
        #expect(throws: InputError.self) { try replica.edit(id.hex, [.set(field: "summary", value: "a\u{2066}b")]) }
        try session.commit()
        #expect(try replica.record(id.hex).displayedText("summary") == "ok 👍🏽! é")
    }

    @Test("sections of a background paper: items and their texts merge")
    func lists() throws {
        let fixture = ReplicaFixture()
        let laptop1 = try fixture.replica("laptop1"), laptop2 = try fixture.replica("laptop2")
        let id = try laptop1.createRecord(type: "background_paper", title: "RT 1.2 paper",
                                          edits: [.writeItems(field: "sections", items: ["Introduction", "Context", "Questions"])])
        try laptop1.send(to: laptop2)
        try laptop1.edit(id.hex, [.writeItems(field: "sections", items: ["Introduction to labour mobility", "Context", "Questions"])])
        try laptop2.edit(id.hex, [.writeItems(field: "sections", items: ["Introduction", "Context", "Evidence", "Questions for the roundtable"])])
        try laptop1.send(to: laptop2)
        try laptop2.send(to: laptop1)
        for replica in [laptop1, laptop2] {
            #expect(try replica.record(id.hex).listField("sections")?.itemTexts
                    == ["Introduction to labour mobility", "Context", "Evidence", "Questions for the roundtable"])
        }
        #expect(try laptop1.digest() == laptop2.digest())
    }
}
