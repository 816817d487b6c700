/// A change kept out of the merged state because its author was not allowed
/// to make it (or it broke a rule once its record was known).
public struct RejectedChange: Sendable {
    /// The change.
    public let encoded: EncodedChange
    /// Why, as a stable code (`not_contributor`, `unenrolled`, ...).
    public let code: String
    /// Why, in words.
    public let reason: String
    /// The file name (else the checksum) of the bundle that brought it; nil
    /// when it came from this replica.
    public let bundle: String?

    /// A value with every property given.
    package init(encoded: EncodedChange, code: String, reason: String, bundle: String?) {
        self.encoded = encoded
        self.code = code
        self.reason = reason
        self.bundle = bundle
    }
}
