import Foundation
import GFMDCore
import GFMDHub
import GFMDHubClient
import GFMDReplica
import GFMDStore
import GFMDSync
import GFMDTestSupport
import NIOHTTP1
import Testing

@Suite("What the hub refuses, over real HTTP: a JSON error, and nothing changes", .serialized)
struct HubRefusalTests {
    @Test("junk, truncated, empty, oversized, unsigned, forged, foreign, revoked, skewed and replayed requests are refused, and the hub keeps serving")
    func refusals() async throws {
        let hub = try await HubHarness(configuration: HubConfiguration(bodyLimit: 1 << 20))
        let fixture = hub.fixture
        let laptop = try fixture.replica("laptop"), colleague = try fixture.replica("colleague")
        let stranger = try fixture.replica("stranger", enrolled: false)
        let revoked = try fixture.replica("revoked")
        _ = try fixture.root.revoke(site: revoked.siteID.hex, reason: "laptop lost")
        _ = try laptop.createRecord(type: "practice", title: "Diaspora bonds")
        _ = try colleague.createRecord(type: "practice", title: "Colleague's")
        let push = try laptop.createBundle(for: .secretariat).bytes
        let skewedClock = SteppingClock(start: fixture.clock.nowMilliseconds() + 10 * 60 * 1000)
        let skewed = try Replica.open(at: fixture.directory.path("laptop"), clock: skewedClock)

        let digest = try fixture.root.digest()
        let ledger = try fixture.root.read { try $0.bundles().count }
        let junk = Array("Dear colleagues, please find attached".utf8)
        func expect(_ answer: HubHarness.Answer, _ status: Int, _ code: String, mentioning words: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(answer.status == status && answer.code == code, "\(answer.status) \(answer.code ?? "no JSON"): \(answer.message)",
                    sourceLocation: sourceLocation)
            #expect(answer.message.contains(words), "\(answer.message)", sourceLocation: sourceLocation)
        }
        expect(try await hub.raw(body: junk), 401, "unsigned", mentioning: "GFMD-Signature")
        expect(try await hub.signed(junk, by: laptop), 400, "bad_bundle", mentioning: "not a gfmd bundle")
        expect(try await hub.signed(Array(push.prefix(push.count / 2)), by: laptop), 400, "bad_bundle", mentioning: "truncated")
        expect(try await hub.signed([], by: laptop), 400, "bad_bundle", mentioning: "empty")
        let oversized = try await hub.signed([UInt8](repeating: 0x1F, count: 2 << 20), by: laptop)
        expect(oversized, 413, "too_large", mentioning: "1048576 bytes")
        #expect((try? JSONSerialization.jsonObject(with: Data(oversized.body)) as? [String: Any])?["limit"] as? Int == 1 << 20, "the hub names its limit")
        expect(try await hub.signed(push, by: stranger), 401, "unenrolled", mentioning: "not enrolled")
        let revokedPush = try revoked.createBundle(for: .secretariat).bytes
        let revokedRequest = try revoked.signedRequest(method: "POST", target: "/v1/sync", body: revokedPush)
        let revokedAnswer = try await hub.raw(headers: revokedRequest.headers.map { ($0.name, $0.value) }, body: revokedPush)
        expect(revokedAnswer, 403, "revoked", mentioning: "revoked")
        expect(try await hub.signed(push, by: skewed), 401, "clock_skew", mentioning: "set this computer's clock")
        expect(try await hub.signed(try colleague.createBundle(for: .secretariat).bytes, by: laptop), 403, "sender_refused",
               mentioning: "not by site \(laptop.siteID.short)")
        let forged = try laptop.signedRequest(method: "POST", target: "/v1/sync", body: junk)
        expect(try await hub.raw(headers: forged.headers.map { ($0.name, $0.value) }, body: push), 401, "bad_signature", mentioning: "does not verify")
        var malformed = forged.headers.map { ($0.name, $0.value) }
        malformed[0].1 = "zz"
        expect(try await hub.raw(headers: malformed, body: push), 400, "malformed_header", mentioning: "GFMD-Key")
        expect(try await hub.raw(.GET, "/v1/nothing", body: []), 404, "not_found", mentioning: "/v1/nothing")
        let wrongMethod = try await hub.raw(.GET, "/v1/sync", body: [])
        #expect(wrongMethod.status / 100 == 4 && wrongMethod.code != nil)
        #expect(try fixture.root.digest() == digest, "nothing refused changed the hub")
        #expect(try fixture.root.read { try $0.bundles().count } == ledger)

        // A refusal of a signed request is itself signed, for that request.
        let snapshot = try #require(try laptop.trustSnapshot())
        let signature = try SignedResponse { name in revokedAnswer.headers.first(name: name) }
        #expect(throws: Never.self) {
            try signature.verify(status: 403, nonce: revokedRequest.nonce, bodyDigest: Hash256.of(revokedAnswer.body),
                                 root: snapshot.root, trust: snapshot.trust, now: HybridTimestamp(milliseconds: laptop.nowMilliseconds, counter: 0)).get()
        }

        // The same signed request twice: applied once, then refused as a replay.
        let signed = try laptop.signedRequest(method: "POST", target: "/v1/sync", body: push)
        let headers = signed.headers.map { ($0.name, $0.value) }
        #expect(try await hub.raw(headers: headers, body: push).status == 200)
        let after = try fixture.root.digest()
        expect(try await hub.raw(headers: headers, body: push), 401, "replayed", mentioning: "already received")
        #expect(try fixture.root.digest() == after)
        // The hub still serves, and a retried push of the same file is an outcome, not an error.
        #expect(try await hub.signed(push, by: laptop).status == 200)
        let report = try await hub.sync(colleague)
        #expect(report.sent > 0)
        #expect(try fixture.root.list().count == 2)
        await hub.stop()
    }
}
