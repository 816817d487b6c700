import Foundation
import GFMDCore
import GFMDReplica
import GFMDSync
import HTTPTypes
import Hummingbird

/// Builds the hub's responses: bundles and JSON errors, signed by the hub's
/// site for a signed request (`Protocol/http.md`, "Signed responses").
struct HubResponses: Sendable {
    /// The media type of a bundle body.
    static let bundleType = "application/vnd.gfmd.bundle"

    let replica: Replica
    let certificate: Certificate

    /// A response of `status` with `body`, signed when the request had a `nonce`.
    func response(status: Int, body: [UInt8], contentType: String, nonce: [UInt8]?, extra: [(String, String)] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        var fields = extra
        if let nonce, let signed = try? replica.signedResponse(status: status, nonce: nonce, body: body, certificate: certificate) {
            fields += signed.headers.map { ($0.name, $0.value) }
        }
        for (name, value) in fields {
            if let name = HTTPField.Name(name) { headers[name] = value }
        }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The JSON error for `refusal`, with Retry-After for a 503.
    func refusal(_ refusal: HubRefusal, nonce: [UInt8]?) -> Response {
        response(status: refusal.status, body: Self.errorBody(refusal), contentType: "application/json", nonce: nonce,
                 extra: refusal.retryAfter.map { [("Retry-After", String($0))] } ?? [])
    }

    /// `{"error": code, "message": message}`, and `"limit"` when the refusal names one.
    static func errorBody(_ refusal: HubRefusal) -> [UInt8] {
        var body: [String: Any] = ["error": refusal.code, "message": refusal.message]
        if let limit = refusal.limit { body["limit"] = limit }
        return Array((try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }
}
