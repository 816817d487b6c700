public import GFMDCore

/// Per site, the time up to which a replica holds every change of that site
/// it may read: a version vector over sites' hybrid timestamps
/// (`Protocol/sync.md`, "Knowledge").
///
/// A missing site stands for ``HybridTimestamp/zero``: nothing is known to be
/// held. Frontiers form a lattice: ``formJoin(_:)`` (greatest per site) is
/// commutative, associative and idempotent, and so is ``meet(_:)`` (least per
/// site, a site missing from either being missing).
public struct Frontier: Hashable, Sendable {
    /// The sites with a timestamp above zero.
    public internal(set) var entries: [SiteTag: HybridTimestamp]

    /// The empty frontier: nothing held.
    public init() { entries = [:] }

    /// A frontier with these entries (zero timestamps are dropped).
    public init(_ entries: [SiteTag: HybridTimestamp]) {
        self.entries = entries.filter { $0.value > .zero }
    }

    /// The timestamp of `site`, zero when absent.
    public subscript(site: SiteTag) -> HybridTimestamp {
        get { entries[site] ?? .zero }
        set { entries[site] = newValue > .zero ? newValue : nil }
    }

    /// Whether the frontier holds the changes at `point`.
    public func covers(_ point: SitePoint) -> Bool { point.timestamp <= self[point.site] }

    /// Raises `site` to `timestamp` when that is later.
    public mutating func advance(_ site: SiteTag, to timestamp: HybridTimestamp) {
        if timestamp > self[site] { self[site] = timestamp }
    }

    /// Raises every site to its timestamp in `other` when that is later.
    public mutating func formJoin(_ other: Frontier) {
        entries.merge(other.entries, uniquingKeysWith: max)
    }

    /// The least timestamp of each site over `frontiers`: what all of them hold.
    /// The meet of no frontier is the empty one.
    public static func meet(_ frontiers: [Frontier]) -> Frontier {
        guard var result = frontiers.first else { return Frontier() }
        for other in frontiers.dropFirst() {
            var common: [SiteTag: HybridTimestamp] = [:]
            for (site, timestamp) in result.entries {
                if let theirs = other.entries[site] { common[site] = min(timestamp, theirs) }
            }
            result.entries = common
        }
        return result
    }

    /// The sites, in ascending tag order.
    public var sites: [SiteTag] { entries.keys.sorted() }
}
