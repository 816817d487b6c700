import Foundation
import GFMDCore
import GFMDHub
import GFMDHubClient
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import GRDB
import Testing

/// Files and HTTP mixed, as delegations really move their work (issue 20): a
/// hub of its own, the root replica, three PHL laptops (in some schedules one
/// of them a copied replica folder), and MEX edit, submit and accept, and
/// exchange by bundle files (for a participant, handed to any of its
/// laptops; of everything; lost, duplicated, late) and by `gfmd sync`.
@Suite("Files and HTTP mixed, copied folders included (seeded property tests)")
struct MixedSyncPropertyTests {
    /// A bundle file on its way to a replica.
    struct Mail {
        let to: Int
        let bytes: [UInt8]
    }

    /// One replica of the schedule.
    struct Member {
        let name: String
        var replica: Replica
        let participant: String
    }

    static let partners = ["IOM", "ILO", "UNDP", "UNHCR", "OECD"]

    /// The seeds run one after another: run together, their 350 open replicas
    /// held 1,800 descriptors, and Foundation's `Process.run` on Linux reads
    /// past its `/proc/self/fd` buffer when the listing fills it (a crash
    /// mid-suite, swift-corelibs-foundation pull request 5472).
    @Test("every laptop ends with its participant's view of the hub, no sync fails or loops, no change an officer made is lost, MEX never holds a PHL draft",
          .serialized, arguments: Array(UInt64(1)...50))
    func schedule(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let fixture = ReplicaFixture()
        let hubReplica = try fixture.replica("hub", participant: "SEC")
        var members = [Member(name: "root", replica: fixture.root, participant: "SEC")]
        for name in ["phl1", "phl2", "phl3"] { members.append(Member(name: name, replica: try fixture.replica(name), participant: "PHL")) }
        members.append(Member(name: "mex", replica: try fixture.replica("mex", participant: "MEX"), participant: "MEX"))
        // The root's first bundle teaches each delegation's laptops their colleagues' keys.
        for participant in ["PHL", "MEX"] {
            let welcome = try fixture.root.createBundle(for: ParticipantCode(participant)!, full: true)
            for member in members where member.participant == participant { try member.replica.applyBundle(welcome.bytes) }
        }
        try fixture.root.applyBundle(try hubReplica.createBundle(for: .secretariat, sealed: false).bytes)
        let (url, group, task) = try await HubHarness.serve(hubReplica, configuration: {
            var configuration = HubConfiguration()
            configuration.port = 0
            configuration.trustRefresh = .zero
            return configuration
        }())

        // A third of the schedules copy phl1's folder mid-way; half of those as a
        // disk image cloned whole, which cannot tell and types the same element ids.
        let copies = seed % 3 == 0, clone = seed % 6 == 0
        var made: Set<ChangeHash> = []
        var paragraphs: [RecordID: [String]] = [:]
        var mailbox: [Mail] = []
        var syncFailures: [String] = []

        func sync(_ member: Member) async {
            let client = try! HubClient(url: url)
            do { _ = try await client.sync(member.replica) } catch { syncFailures.append("\(member.name): \(error)") }
            try? await client.shutdown()
        }

        for step in 0..<18 {
            if copies && step == 6 {
                try FileManager.default.copyItem(at: fixture.directory.path("phl1"), to: fixture.directory.path("phl1copy"))
                if clone {
                    try await DatabaseQueue(path: fixture.directory.path("phl1copy/replica.sqlite").path).write {
                        try $0.execute(sql: "DELETE FROM meta WHERE key = 'place'")
                    }
                }
                members.append(Member(name: "phl1copy", replica: try fixture.reopen("phl1copy"), participant: "PHL"))
                if clone, let record = try members[1].replica.list().first(where: {
                    $0.owner == "PHL" && $0.workflow != "submitted" && $0.workflow != "under_review" && !$0.deleted
                }) {
                    // Both computers add a paragraph to one text before either hears of the other's.
                    for name in ["phl1", "phl1copy"] {
                        let member = members.first { $0.name == name }!
                        let paragraph = "Paragraph typed on \(name)'s computer."
                        let current = try member.replica.record(record.id.hex).displayedText("summary") ?? ""
                        made.insert(try member.replica.edit(record.id.hex, [.set(field: "summary", value: current.isEmpty ? paragraph : current + "\n\n" + paragraph)]))
                        paragraphs[record.id, default: []].append(paragraph)
                    }
                }
            }
            let member = random.pick(members)
            switch Int.random(in: 0..<10, using: &random) {
            case 0...3:
                made.formUnion(try Self.edit(member, random: &random, paragraphs: &paragraphs))
            case 4:
                if member.participant == "SEC", let record = try member.replica.list().filter({ $0.owner != "SEC" }).randomElement(using: &random) {
                    for state in [WorkflowState.underReview, .accepted] {
                        if let change = try? member.replica.transition(record.id.hex, to: state) { made.insert(change) }
                    }
                }
            case 5...6:
                // A file for a participant, handed to any of its laptops; lost, duplicated or late.
                let recipient = random.pick(["SEC", "PHL", "MEX"].filter { $0 != member.participant || $0 == "PHL" })
                let targets = members.indices.filter { members[$0].participant == recipient && members[$0].name != member.name }
                guard !targets.isEmpty, let bundle = try? member.replica.createBundle(for: ParticipantCode(recipient)!) else { continue }
                let to = random.pick(targets)
                if random.chance(0.15) { continue }
                mailbox.append(Mail(to: to, bytes: bundle.bytes))
                if random.chance(0.15) { mailbox.append(Mail(to: random.pick(targets), bytes: bundle.bytes)) }
            case 7:
                // A bundle of everything, to a colleague.
                let colleagues = members.indices.filter { members[$0].participant == member.participant && members[$0].name != member.name }
                guard let to = colleagues.randomElement(using: &random) else { continue }
                mailbox.append(Mail(to: to, bytes: try member.replica.createBundle(sealedFor: ParticipantCode(member.participant)).bytes))
            default:
                await sync(member)
            }
            if !mailbox.isEmpty && random.chance(0.5) {
                let mail = mailbox.remove(at: Int.random(in: 0..<mailbox.count, using: &random))
                _ = try? members[mail.to].replica.applyBundle(mail.bytes)
            }
        }
        for mail in mailbox.shuffled(using: &random) { _ = try? members[mail.to].replica.applyBundle(mail.bytes) }
        // Final rounds: everyone syncs, twice over, with nothing lost.
        for _ in 0..<2 {
            for member in members { await sync(member) }
        }
        await HubHarness.stop(group, task)

        #expect(syncFailures.isEmpty, "seed \(seed): \(syncFailures)")
        for member in members where member.participant != "SEC" {
            #expect(try member.replica.digest() == hubReplica.digest(for: ParticipantCode(member.participant)!),
                    "seed \(seed): \(member.name) holds PHL's or MEX's view of the hub")
        }
        #expect(try fixture.root.digest() == hubReplica.digest(), "seed \(seed): the root replica holds what the hub holds")
        let held = try hubReplica.read { reader in try made.filter { try !reader.contains($0) } }
        #expect(held.isEmpty, "seed \(seed): \(held.count) changes officers made are not applied at the hub")
        for (record, texts) in paragraphs {
            let merged = try hubReplica.record(record.hex).displayedText("summary") ?? ""
            for paragraph in texts { #expect(merged.contains(paragraph), "seed \(seed): a paragraph of \(record.short) is lost") }
        }
        let mexIDs = Set(try members.first { $0.name == "mex" }!.replica.list(RecordFilter(includeDeleted: true)).map(\.id))
        for record in try hubReplica.list(RecordFilter(includeDeleted: true)) where record.owner == "PHL" && mexIDs.contains(record.id) {
            #expect(try hubReplica.read { try $0.publishedChanges(of: record.id) != nil }, "seed \(seed): MEX holds PHL draft \(record.id.short)")
        }
    }

    /// One officer's edit on `member`'s replica: a new record, a value, a
    /// partner, a paragraph added to a summary, or a submission (a copied
    /// folder's too: it numbers its text apart, sync.md, "Copied replica
    /// folders"). Returns the changes made.
    static func edit(_ member: Member, random: inout SeededGenerator, paragraphs: inout [RecordID: [String]]) throws -> [ChangeHash] {
        let replica = member.replica
        let own = try replica.list().filter { $0.owner == member.participant && $0.workflow != "submitted" && $0.workflow != "under_review" }
        guard let record = own.randomElement(using: &random), !random.chance(0.2) else {
            let id = RecordID.random(using: &random)
            return try replica.commit([RecordEdits(.new(id: id, type: "practice", title: "Practice \(member.name) \(random.next() % 1000)"), [])]).map(\.hash)
        }
        let edit: Edit
        switch Int.random(in: 0..<6, using: &random) {
        case 0: edit = .set(field: "title", value: "Title by \(member.name) \(random.next() % 100)")
        case 1: edit = .set(field: "contact", value: "\(member.name)@example.org")
        case 2...3: edit = .add(field: "partners", value: random.pick(partners))
        case 4:
            let paragraph = "Paragraph \(random.next() % 1_000_000) by \(member.name)."
            let current = try replica.record(record.id.hex).displayedText("summary") ?? ""
            edit = .set(field: "summary", value: current.isEmpty ? paragraph : current + "\n\n" + paragraph)
            paragraphs[record.id, default: []].append(paragraph)
        default: edit = .transition(to: .submitted, note: nil)
        }
        do {
            return [try replica.edit(record.id.hex, [edit])]
        } catch is InputError {
            return []
        } catch is AuthorizationError {
            return []
        }
    }
}
