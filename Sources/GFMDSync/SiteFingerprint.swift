public import GFMDCore

/// What a replica holds of one site up to a time, in 16 bytes: how many of
/// its changes (applied or rejected) have a time at or before ``time``, and
/// the XOR of the first 8 bytes of their ids (`Protocol/sync.md`,
/// "Fingerprints").
///
/// A frontier time claims "every change of the site up to here"; a site's
/// claim about its own changes is true only while its replica folder exists
/// once. Two copies of one folder make different changes under one site, and
/// each claims the other's: the fingerprints of the two sides then differ,
/// and the claim is not believed.
public struct SiteFingerprint: Hashable, Sendable {
    /// The time the fingerprint covers, inclusive.
    public let time: HybridTimestamp
    /// How many changes of the site have a time at or before ``time``.
    public var count: UInt64
    /// The XOR of the first 8 bytes (big-endian) of their ids.
    public var xor: UInt64

    /// The fingerprint of no change up to `time`; ``add(_:)`` folds changes in.
    public init(time: HybridTimestamp, count: UInt64 = 0, xor: UInt64 = 0) {
        self.time = time
        self.count = count
        self.xor = xor
    }

    /// Folds in the change `id`.
    public mutating func add(_ id: ChangeHash) {
        count += 1
        xor ^= Self.prefix(of: id)
    }

    /// Takes out the change `id`, folded in before.
    public mutating func remove(_ id: ChangeHash) {
        count -= 1
        xor ^= Self.prefix(of: id)
    }

    /// The same changes, covering another time (for a caller that added or
    /// removed those between the two).
    public func moved(to time: HybridTimestamp) -> SiteFingerprint {
        SiteFingerprint(time: time, count: count, xor: xor)
    }

    private static func prefix(of id: ChangeHash) -> UInt64 {
        id.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }
    }
}
