import Foundation
import GFMDBundle
import GFMDCore
import GFMDReplica
import GFMDSync
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /v1/sync` (`Protocol/http.md`, "One sync"): applies the bundle a
/// site pushes, then answers with a bundle of what that site's participant
/// may read and is not believed to hold, exactly as `bundle create --to`.
struct SyncEndpoint: Sendable {
    static let path = "/v1/sync"

    let replica: Replica
    let gate: RequestGate
    let writer: WriterQueue
    let responses: HubResponses
    let bodyLimit: Int
    let logger: Logger
    /// Told after a sync applied changes this hub did not hold.
    let applied: @Sendable () -> Void

    func handle(_ request: Request) async -> Response {
        var nonce: [UInt8]?
        do {
            let signed = try SignedRequest { name in HTTPField.Name(name).flatMap { request.headers[$0] } }
            nonce = signed.nonce
            let body = try await collect(request)
            let target = request.head.path ?? Self.path
            let certificate = try await gate.admit(signed, method: request.method.rawValue, target: target, bodyDigest: Hash256.of(body))
            guard !body.isEmpty else { throw HubRefusal.badBundle("the body is empty: POST a bundle made for the secretariat (Protocol/http.md)") }
            let replica = replica
            let participant = ParticipantCode(certificate.participant)
            guard let participant else { throw HubRefusal.badBundle("the sender's certificate names no participant code") }
            let started = ContinuousClock.now
            let window = gate.window
            let (outcome, answer) = try await writer.run {
                let fileName = "sync from site \(signed.key.siteID.short)"
                let outcome = try Self.refusingBadInput { try replica.applyBundle(body, fileName: fileName, sender: signed.key) }
                // Kept so that a restart within the window refuses a replay of this request.
                let now = replica.nowMilliseconds
                try replica.remember(AdmittedNonce(site: signed.key.siteID, nonce: signed.nonce, signed: signed.milliseconds),
                                     forgetBefore: now > window ? now - window : 0)
                return (outcome, try replica.createBundle(for: participant, site: signed.key.siteID, sealed: false))
            }
            // Only secretariat sites certify and revoke: what they bring may change who is admitted.
            if certificate.role == .secretariat && outcome.report.applied > 0 { await gate.invalidate() }
            if outcome.report.applied > 0 { applied() }
            logger.info("sync", metadata: [
                "site": "\(signed.key.siteID.short)", "participant": "\(participant.rawValue)",
                "received": "\(outcome.changeCount)", "new": "\(outcome.report.applied)", "sent": "\(answer.changeCount)",
                "took": "\(ContinuousClock.now - started)",
            ])
            return responses.response(status: 200, body: answer.bytes, contentType: HubResponses.bundleType, nonce: nonce)
        } catch let refusal as HubRefusal {
            if refusal.status >= 500 || refusal.code == "replayed" || refusal.code == "bad_signature" {
                logger.notice("sync refused", metadata: ["code": "\(refusal.code)", "reason": "\(refusal.message)"])
            }
            return responses.refusal(refusal, nonce: nonce)
        } catch {
            logger.error("sync failed", metadata: ["error": "\(error)"])
            return responses.refusal(HubRefusal(status: 500, code: "internal", "the hub could not complete the sync: \(error)"), nonce: nonce)
        }
    }

    /// The body, refused beyond the limit before it is read whole.
    private func collect(_ request: Request) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > bodyLimit {
            throw HubRefusal.tooLarge(limit: bodyLimit)
        }
        do {
            let buffer = try await request.body.collect(upTo: bodyLimit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw HubRefusal.tooLarge(limit: bodyLimit)
        }
    }

    /// Maps what is wrong with a pushed bundle to a 4xx refusal; the replica is unchanged.
    private static func refusingBadInput<T>(_ work: () throws -> T) throws -> T {
        do { return try work() } catch let error as BundleError {
            switch error.code {
            case .tooLarge, .decompressionBomb: throw HubRefusal(status: 413, code: "too_large", error.reason)
            case .unknownSender: throw HubRefusal(status: 403, code: "sender_refused", error.reason)
            default: throw HubRefusal.badBundle(error.reason)
            }
        } catch let error as StoreError where error.code == .diskFull || error.code == .locked {
            throw HubRefusal(status: 503, code: "unavailable", error.reason, retryAfter: 5)
        }
    }
}
