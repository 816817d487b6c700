import Foundation
@testable import GFMDHub
import GFMDCore
import GFMDReplica
import GFMDSync
import GFMDTestSupport
import Testing

@Suite("The hub's verdicts on signed requests, and its writer queue, without sockets")
struct HubAuthenticatorTests {
    let fixture = ReplicaFixture()
    let body = Array("bundle bytes".utf8)

    func verdict(_ request: SignedRequest, target: String = "/v1/sync", body: [UInt8]? = nil, at now: UInt64? = nil,
                 replay: inout ReplayWindow) throws -> Result<Certificate, HubRefusal> {
        let snapshot = try #require(try fixture.root.trustSnapshot())
        return HubAuthenticator.authenticate(
            request, method: "POST", target: target, bodyDigest: Hash256.of(body ?? self.body),
            trust: snapshot.trust, root: snapshot.root, now: now ?? request.milliseconds, replay: &replay)
    }

    func code(_ verdict: Result<Certificate, HubRefusal>) -> String? {
        guard case .failure(let refusal) = verdict else { return nil }
        return refusal.code
    }

    @Test("an enrolled site is admitted once; unenrolled, revoked and expired sites are refused with 401 or 403")
    func sites() throws {
        var replay = ReplayWindow()
        let laptop = try fixture.replica("laptop")
        let request = try laptop.signedRequest(method: "POST", target: "/v1/sync", body: body)
        let admitted = try verdict(request, replay: &replay).get()
        #expect(admitted.participant == "PHL" && admitted.site == laptop.siteID)
        #expect(code(try verdict(request, replay: &replay)) == "replayed")

        let stranger = try fixture.replica("stranger", enrolled: false)
        #expect(code(try verdict(try stranger.signedRequest(method: "POST", target: "/v1/sync", body: body), replay: &replay)) == "unenrolled")

        let lost = try fixture.replica("lost")
        _ = try fixture.root.revoke(site: lost.siteID.hex, reason: "laptop lost")
        let revoked = try verdict(try lost.signedRequest(method: "POST", target: "/v1/sync", body: body), replay: &replay)
        #expect(code(revoked) == "revoked")
        if case .failure(let refusal) = revoked { #expect(refusal.status == 403) }

        // A request signed, and judged, after the certificate's end: within the skew, but out of date.
        let afterExpiry = fixture.clock.nowMilliseconds() + UInt64(Replica.defaultValidityDays + 1) * 86_400_000
        let later = try Replica.open(at: fixture.directory.path("laptop"), clock: SteppingClock(start: afterExpiry))
        let expired = try verdict(try later.signedRequest(method: "POST", target: "/v1/sync", body: body), replay: &replay)
        #expect(code(expired) == "expired")
    }

    @Test("a signature over another body or target is refused, and does not use up the nonce")
    func signatures() throws {
        var replay = ReplayWindow()
        let laptop = try fixture.replica("laptop")
        let request = try laptop.signedRequest(method: "POST", target: "/v1/sync", body: body)
        #expect(code(try verdict(request, body: body + [1], replay: &replay)) == "bad_signature")
        #expect(code(try verdict(request, target: "/v1/sync?all", replay: &replay)) == "bad_signature")
        #expect(code(try verdict(request, at: request.milliseconds + 301_000, replay: &replay)) == "clock_skew")
        #expect(replay.count == 0)
        #expect(code(try verdict(request, replay: &replay)) == nil)
    }

    @Test("the writer queue answers busy beyond its limit, and for a sync that waited past its timeout")
    func backPressure() async throws {
        let queue = WriterQueue(limit: 1, timeout: .seconds(30))
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let first = Task { try await queue.run { started.signal(); release.wait(); return 1 } }
        while started.wait(timeout: .now()) == .timedOut { await Task.yield() }
        await #expect(throws: HubRefusal.busy(retryAfter: 1)) { try await queue.run { 2 } }
        release.signal()
        #expect(try await first.value == 1)
        #expect(try await queue.run { 3 } == 3)
        let impatient = WriterQueue(limit: 4, timeout: .zero)
        await #expect(throws: HubRefusal.busy(retryAfter: 1)) { try await impatient.run { 4 } }
    }
}
