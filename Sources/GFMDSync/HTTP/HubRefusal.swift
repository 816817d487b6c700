/// Why the hub refused a request: an HTTP status, a stable code and a
/// sentence for the officer (`Protocol/http.md`, "Errors").
///
/// The hub sends it as the JSON body `{"error": code, "message": message}`,
/// with `"limit"` (bytes) for `too_large`.
public struct HubRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The HTTP status: 4xx for a request that will never succeed as sent,
    /// 503 for one to retry later.
    public let status: Int
    /// A stable snake_case name, as in `Protocol/http.md` and the vectors.
    public let code: String
    /// What was wrong, in words a delegation officer can pass on.
    public let message: String
    /// Seconds to wait before retrying (`Retry-After`), for a 503.
    public let retryAfter: Int?
    /// The largest body the hub takes, in bytes, for a body refused as too large.
    public let limit: Int?

    /// Creates a refusal.
    public init(status: Int, code: String, _ message: String, retryAfter: Int? = nil, limit: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.limit = limit
    }

    public var description: String { message }

    /// The request carries no signature, or a header is missing.
    public static func unsigned(_ message: String) -> HubRefusal { HubRefusal(status: 401, code: "unsigned", message) }
    /// A signature header is not in its documented form.
    public static func malformedHeader(_ message: String) -> HubRefusal { HubRefusal(status: 400, code: "malformed_header", message) }
    /// The signature does not verify for the key the request names.
    public static let badSignature = HubRefusal(status: 401, code: "bad_signature",
        "the request's signature does not verify for the site key it names: it was altered, or signed by another key")
    /// The request's time is outside the clock-skew window.
    public static func clockSkew(_ message: String) -> HubRefusal { HubRefusal(status: 401, code: "clock_skew", message) }
    /// The same signed request was seen before.
    public static let replayed = HubRefusal(status: 401, code: "replayed",
        "this signed request was already received: a request is accepted once (its nonce was seen)")
    /// The site has no certificate of the hub's root.
    public static func unenrolled(_ message: String) -> HubRefusal { HubRefusal(status: 401, code: "unenrolled", message) }
    /// The site's certificate was revoked.
    public static func revoked(_ message: String) -> HubRefusal { HubRefusal(status: 403, code: "revoked", message) }
    /// The site's certificate is not valid now.
    public static func expired(_ message: String) -> HubRefusal { HubRefusal(status: 403, code: "expired", message) }
    /// The body is not a bundle this hub applies.
    public static func badBundle(_ message: String) -> HubRefusal { HubRefusal(status: 400, code: "bad_bundle", message) }
    /// The body exceeds the hub's limit.
    public static func tooLarge(limit: Int) -> HubRefusal {
        HubRefusal(status: 413, code: "too_large", "the request body exceeds the hub's limit of \(limit) bytes", limit: limit)
    }
    /// The hub has too much work queued; retry after `seconds`.
    public static func busy(retryAfter seconds: Int) -> HubRefusal {
        HubRefusal(status: 503, code: "busy", "the hub is busy; retry in \(seconds) s", retryAfter: seconds)
    }
}
