extension VectorModels {
    /// `http.json`: signed requests and responses, with the trust record they are judged against.
    struct HTTPFile: Codable {
        let kind: String
        let description: String
        let trust: HTTPTrust
        let valid: [HTTPCase]
        let mustFail: [HTTPCase]

        enum CodingKeys: String, CodingKey {
            case kind, description, trust, valid
            case mustFail = "must_fail"
        }
    }

    /// The hub's trust record: its pinned root, certificates and revoked serials.
    struct HTTPTrust: Codable {
        let root: String
        let certificates: [String]
        let revokedSerials: [UInt64]

        enum CodingKeys: String, CodingKey {
            case root, certificates
            case revokedSerials = "revoked_serials"
        }
    }

    /// One signed request judged by the hub, or one signed response judged by a laptop.
    struct HTTPCase: Codable {
        let name: String
        /// `request` or `response`.
        let message: String
        let method: String?
        let target: String?
        let status: Int?
        /// For a response: the nonce of the request it answers.
        let requestNonce: String?
        let body: String
        let headers: [String: String]
        /// The judge's clock, in milliseconds since 1970.
        let now: UInt64
        /// How many times the request is sent; the verdict is the last one's.
        let times: Int?
        /// The text the signature covers, as sent (for implementers to compare).
        let signingInput: String
        /// For a valid case: the signer's site id and participant.
        let expected: HTTPExpected?
        /// For a failing case: the error code, and the HTTP status the hub answers.
        let error: String?
        let httpStatus: Int?

        enum CodingKeys: String, CodingKey {
            case name, message, method, target, status, body, headers, now, times, expected, error
            case requestNonce = "request_nonce"
            case signingInput = "signing_input"
            case httpStatus = "http_status"
        }
    }

    /// Who signed a valid case.
    struct HTTPExpected: Codable, Equatable {
        let site: String
        let participant: String
    }
}
