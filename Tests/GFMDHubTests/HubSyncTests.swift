import Foundation
import GFMDCore
import GFMDHub
import GFMDHubClient
import GFMDReplica
import GFMDStore
import GFMDTestSupport
import GRDB
import Testing

@Suite("Syncing with the hub over real HTTP on 127.0.0.1", .serialized)
struct HubSyncTests {
    @Test("two PHL laptops and MEX sync repeatedly while editing and converge; MEX never receives a PHL draft")
    func converge() async throws {
        let hub = try await HubHarness()
        let fixture = hub.fixture
        let laptop1 = try fixture.replica("laptop1"), laptop2 = try fixture.replica("laptop2")
        let mex = try fixture.replica("mex", participant: "MEX")
        let draft = try laptop1.createRecord(type: "practice", title: "Diaspora bonds", edits: [.add(field: "partners", value: "IOM")])
        let mexRecord = try mex.createRecord(type: "knowledge_gap", title: "Return migration data")
        for round in 0..<3 {
            for laptop in [laptop1, laptop2, mex] { try await hub.sync(laptop) }
            if round == 0 {
                // Offline edits on both PHL laptops, crossing, between syncs.
                try laptop1.edit(draft.hex, [.set(field: "title", value: "Diaspora bonds for development")])
                try laptop2.edit(draft.hex, [.set(field: "title", value: "Philippine diaspora bonds"), .add(field: "partners", value: "UNDP")])
                try mex.edit(mexRecord.hex, [.set(field: "gap", value: "No data on returns")])
            }
        }
        await hub.stop()
        #expect(try laptop1.digest() == laptop2.digest())
        #expect(try laptop1.digest(for: ParticipantCode("PHL")!) == fixture.root.digest(for: ParticipantCode("PHL")!))
        #expect(try mex.digest(for: ParticipantCode("MEX")!) == fixture.root.digest(for: ParticipantCode("MEX")!))
        #expect(try laptop2.record(draft.hex).conflictedFields.map(\.name) == ["title"])
        #expect(try fixture.root.list().map(\.id).sorted() == [draft, mexRecord].sorted())
        #expect(try mex.list().map(\.id) == [mexRecord], "MEX lists no PHL draft")
        #expect(try mex.log(LogFilter()).allSatisfy { $0.record != draft }, "no change of the PHL draft reached MEX")
    }

    @Test("a roomful of laptops syncing at once with a hub that lets one sync wait: those told busy wait, say so, and all finish with the right digest")
    func busyHub() async throws {
        var configuration = HubConfiguration()
        configuration.queueLimit = 1
        let hub = try await HubHarness(configuration: configuration)
        let laptops = try (0..<8).map { try hub.fixture.replica("laptop\($0)", participant: ["PHL", "MEX"][$0 % 2]) }
        for (index, laptop) in laptops.enumerated() {
            try laptop.createRecord(type: "practice", title: "Practice \(index)", edits: [.set(field: "start_date", value: "2025-01-15")])
        }
        let waits = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for laptop in laptops {
                group.addTask {
                    let client = try HubClient(url: hub.url)
                    let result = await Result(catching: { try await client.sync(laptop, waiting: { _ in waits.add() }) })
                    try await client.shutdown()
                    _ = try result.get()
                }
            }
            try await group.waitForAll()
        }
        #expect(waits.value > 0, "with one sync at a time, some laptops were told the hub is busy")
        for laptop in laptops { try await hub.sync(laptop) }
        await hub.stop()
        #expect(try hub.fixture.root.list().count == laptops.count)
        for laptop in laptops {
            let participant = ParticipantCode(laptop.identity.participant)!
            #expect(try laptop.digest() == hub.fixture.root.digest(for: participant))
        }
    }

    @Test("a replica another process keeps locked: the sync waits for it, says so, and finishes")
    func lockedReplica() async throws {
        let hub = try await HubHarness()
        let laptop = try hub.fixture.replica("laptop")
        let id = try laptop.createRecord(type: "practice", title: "Diaspora bonds")
        // This gfmd gives up on a lock after 0.2 s; another process holds it for 1.5 s.
        let impatient = try Replica.open(at: laptop.directory, clock: hub.fixture.clock, lockTimeout: 0.2)
        let other = try DatabaseQueue(path: laptop.directory.appendingPathComponent("replica.sqlite").path)
        let locked = DispatchSemaphore(value: 0), released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? other.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    locked.signal()
                    Thread.sleep(forTimeInterval: 1.5)
                    return .commit
                }
            }
            released.signal()
        }
        locked.wait()
        let messages = Messages()
        let client = try HubClient(url: hub.url)
        let result = await Result(catching: { try await client.sync(impatient, waiting: { messages.add($0) }) })
        try await client.shutdown()
        released.wait()
        await hub.stop()
        _ = try result.get()
        #expect(messages.all.contains { $0.contains("this replica is busy") }, "\(messages.all)")
        #expect(try hub.fixture.root.list().map(\.id) == [id])
        #expect(try impatient.digest(for: ParticipantCode("PHL")!) == hub.fixture.root.digest(for: ParticipantCode("PHL")!))
    }

    @Test("a laptop offline for months syncs in one command, and its next sync carries nothing")
    func backlog() async throws {
        let hub = try await HubHarness()
        let laptop = try hub.fixture.replica("laptop")
        var ids: [RecordID] = []
        for index in 0..<60 {
            ids.append(try laptop.createRecord(type: "practice", title: "Practice \(index)", edits: [.set(field: "start_date", value: "2025-01-15")]))
        }
        let first = try await hub.sync(laptop)
        #expect(first.sent >= 60)
        #expect(try hub.fixture.root.list().count == 60)
        let second = try await hub.sync(laptop)
        #expect(second.sent == 0 && second.received == 0 && second.rounds == 1)
        await hub.stop()
    }

    @Test("an interrupted sync resumes: an answer lost after the hub applied resends nothing; a push lost on the way is sent in the next round")
    func interrupted() async throws {
        let hub = try await HubHarness()
        let laptop = try hub.fixture.replica("laptop")
        try await hub.sync(laptop)
        let one = try laptop.createRecord(type: "practice", title: "One")
        // The push arrives and is applied, but its answer never comes back.
        let push = try laptop.createBundle(for: .secretariat)
        #expect(try await hub.signed(push.bytes, by: laptop).status == 200)
        #expect(try hub.fixture.root.list().map(\.id) == [one])
        let resumed = try await hub.sync(laptop)
        #expect(resumed.sent == 0 && resumed.rounds == 1, "what already arrived is not sent again")
        // A push is made but lost before it reaches the hub.
        let two = try laptop.createRecord(type: "practice", title: "Two")
        _ = try laptop.createBundle(for: .secretariat)
        let healed = try await hub.sync(laptop)
        #expect(healed.rounds == 2 && healed.sent >= 1)
        #expect(try Set(hub.fixture.root.list().map(\.id)) == [one, two])
        await hub.stop()
    }

    @Test("HTTPS with a certificate made in the test: the client trusts it with --ca, and refuses it without")
    func tls() async throws {
        let fixture = ReplicaFixture()
        let files = try TestCertificate(in: fixture.directory.path("tls"))
        let hub = try await HubHarness(fixture: fixture, configuration: HubConfiguration(tls: (files.certificate, files.key)))
        #expect(hub.url.scheme == "https")
        let laptop = try fixture.replica("laptop")
        _ = try laptop.createRecord(type: "practice", title: "Sealed in transit")
        // Without --ca, the self-signed certificate is not trusted: every attempt fails, and the sync gives up.
        let untrusting = try HubClient(url: hub.url, connectTimeout: .seconds(1))
        let refused = await Result(catching: { try await untrusting.sync(laptop) })
        try await untrusting.shutdown()
        #expect(throws: HubSyncError.self) { try refused.get() }
        if case .failure(let error) = refused { #expect("\(error)".contains("--ca")) }
        #expect(try fixture.root.list().isEmpty)
        let report = try await hub.sync(laptop, ca: files.certificate)
        #expect(report.sent > 0)
        #expect(try fixture.root.list().count == 1)
        await hub.stop()
    }

    @Test("a hub without the root key admits laptops the root certified after it, and a revocation synced from the root refuses them at once")
    func hubWithoutRoot() async throws {
        let fixture = ReplicaFixture()
        let hubReplica = try fixture.replica("hub", participant: "SEC")
        var configuration = HubConfiguration(port: 0)
        configuration.trustRefresh = .seconds(3600)
        let (url, group, task) = try await HubHarness.serve(hubReplica, configuration: configuration)
        let laptop = try fixture.replica("laptop")
        let record = try laptop.createRecord(type: "practice", title: "Certified after the hub")
        let client = try HubClient(url: url)
        let refused = await Result(catching: {
            _ = try await client.sync(laptop)
            #expect(try hubReplica.list().map(\.id) == [record], "the laptop's carried certificate admitted it")
            _ = try await client.sync(fixture.root)
            #expect(try fixture.root.list().map(\.id) == [record], "the root replica syncs with the hub like a laptop")
            _ = try fixture.root.revoke(site: laptop.siteID.hex, reason: "laptop lost")
            _ = try await client.sync(fixture.root)
            return try await client.sync(laptop)
        })
        try await client.shutdown()
        await HubHarness.stop(group, task)
        guard case .failure(let error as HubSyncError) = refused else {
            Issue.record("a revoked laptop synced")
            return
        }
        #expect(error.reason.contains("403 revoked"), "\(error.reason)")
    }

    @Test("a hub of another secretariat is detected: its answers are not signed under this replica's root, and nothing is applied")
    func fakeHub() async throws {
        let fixture = ReplicaFixture()
        let laptop = try fixture.replica("laptop")
        _ = try laptop.createRecord(type: "practice", title: "For the real secretariat only")
        let impostor = try Replica.createSecretariat(at: fixture.directory.path("impostor"), author: "Impostor", clock: fixture.clock)
        let (url, group, task) = try await HubHarness.serve(impostor, configuration: HubConfiguration(port: 0))
        let digest = try laptop.digest()
        let client = try HubClient(url: url)
        let result = await Result(catching: { try await client.sync(laptop) })
        try await client.shutdown()
        await HubHarness.stop(group, task)
        #expect(throws: HubSyncError.self) { try result.get() }
        if case .failure(let error as HubSyncError) = result {
            #expect(error.reason.contains("not this secretariat's hub"), "\(error.reason)")
        }
        #expect(try laptop.digest() == digest)
        #expect(try impostor.list().isEmpty)
    }
}

/// A count shared by concurrent tasks.
/// Messages told from several tasks.
final class Messages: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    /// Adds one.
    func add(_ message: String) { lock.withLock { messages.append(message) } }

    /// Every message so far.
    var all: [String] { lock.withLock { messages } }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    /// Adds one.
    func add() { lock.withLock { count += 1 } }

    /// The count so far.
    var value: Int { lock.withLock { count } }
}
