/// Bounds on what reading a bundle may cost, checked before memory is spent.
public struct BundleLimits: Sendable, Hashable {
    /// The largest file accepted, in bytes.
    public var maximumFileSize: Int
    /// The largest inflated body accepted, in bytes.
    public var maximumBodySize: Int
    /// The largest number of changes accepted.
    public var maximumChangeCount: Int

    /// Creates limits.
    public init(maximumFileSize: Int, maximumBodySize: Int, maximumChangeCount: Int) {
        self.maximumFileSize = maximumFileSize
        self.maximumBodySize = maximumBodySize
        self.maximumChangeCount = maximumChangeCount
    }

    /// The defaults: 512 MiB files, 2 GiB bodies, 20 million changes.
    public static let standard = BundleLimits(
        maximumFileSize: 512 << 20, maximumBodySize: 2 << 30, maximumChangeCount: 20_000_000)

    /// Deflate never compresses better than 1032:1; a body declared larger than
    /// that ratio allows cannot be honest.
    static let maximumCompressionRatio = 1032
}
