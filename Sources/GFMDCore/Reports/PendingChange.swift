/// A change received whose dependencies have not all arrived: it waits,
/// across restarts, until they do (DESIGN.md §4.6).
public struct PendingChange: Sendable {
    /// The change.
    public let encoded: EncodedChange
    /// The file name (else the checksum) of the bundle that brought it.
    public let bundle: String?
    /// What it waits for that this replica does not hold at all (the rest
    /// of what it waits for is pending too), sorted.
    public let missing: [ChangeHash]

    /// A value with every property given.
    package init(encoded: EncodedChange, bundle: String?, missing: [ChangeHash]) {
        self.encoded = encoded
        self.bundle = bundle
        self.missing = missing
    }
}
