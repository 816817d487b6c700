public import GFMDCore

/// The first 8 bytes of a site id: how a knowledge summary names a site
/// (`Protocol/sync.md`, "Sites"), at a quarter of the id's size.
///
/// Two sites may share a tag, by accident (about once in 10¹³ pairs) or by a
/// site grinding keys. A replica that knows both treats the tag as unknown, so a
/// shared tag can only make it send a change again, never hold one back from
/// a site other than the two.
public struct SiteTag: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The tag as a big-endian integer.
    public let rawValue: UInt64

    /// Wraps a tag read from a summary.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The tag of `site`.
    public init(_ site: SiteID) { rawValue = site.words.0 }

    public static func < (lhs: SiteTag, rhs: SiteTag) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Sixteen lower-case hexadecimal digits.
    public var description: String {
        let digits = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// One instant of one site's history: the changes that site made at `timestamp`
/// (a commit's changes share their timestamp).
public struct SitePoint: Hashable, Comparable, Sendable {
    /// The site.
    public let site: SiteTag
    /// When it made the changes.
    public let timestamp: HybridTimestamp

    /// Names the changes `site` made at `timestamp`.
    public init(site: SiteTag, timestamp: HybridTimestamp) {
        self.site = site
        self.timestamp = timestamp
    }

    public static func < (lhs: SitePoint, rhs: SitePoint) -> Bool {
        (lhs.site, lhs.timestamp) < (rhs.site, rhs.timestamp)
    }
}
