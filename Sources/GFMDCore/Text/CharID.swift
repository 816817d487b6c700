/// Identifies one element of a sequence field (a character of a text, an item
/// of a list): the site that inserted it and a counter, unique among that
/// site's insertions into the field.
public struct CharID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The inserting site.
    public let site: SiteID
    /// The site's counter for this element.
    public let counter: UInt64

    /// Names an element.
    public init(site: SiteID, counter: UInt64) {
        self.site = site
        self.counter = counter
    }

    public static func < (lhs: CharID, rhs: CharID) -> Bool {
        (lhs.site, lhs.counter) < (rhs.site, rhs.counter)
    }

    public var description: String { "\(site.short):\(counter)" }
}

/// A range of consecutive elements inserted by one site: `count` counters from `counter`.
public struct CharRange: Hashable, Sendable {
    /// The inserting site.
    public let site: SiteID
    /// The first counter.
    public let counter: UInt64
    /// How many elements.
    public let count: UInt64

    /// Names `count` elements from `counter`.
    public init(site: SiteID, counter: UInt64, count: UInt64) {
        self.site = site
        self.counter = counter
        self.count = count
    }

    /// Appends `range` to `ranges`, merging it into the last range when the
    /// two are consecutive counters of one site (either way round: deleting
    /// backwards, as Backspace does, names them in descending order).
    public static func append(_ range: CharRange, to ranges: inout [CharRange]) {
        if let last = ranges.last, last.site == range.site {
            if last.counter + last.count == range.counter {
                ranges[ranges.count - 1] = CharRange(site: range.site, counter: last.counter, count: last.count + range.count)
                return
            }
            if range.counter + range.count == last.counter {
                ranges[ranges.count - 1] = CharRange(site: range.site, counter: range.counter, count: last.count + range.count)
                return
            }
        }
        ranges.append(range)
    }
}

/// One edit of a sequence field, as a change carries it.
///
/// An insertion places a run of new elements, with consecutive counters, after
/// `left` and before `right` as the author saw them (nil: the start or the end).
/// Inside the run each element follows the previous one. A deletion names the
/// elements it removes; deleting an element already deleted changes nothing.
public enum SequenceEdit: Hashable, Sendable {
    /// New elements: their first counter, their neighbours when inserted, and their content.
    case insert(counter: UInt64, left: CharID?, right: CharID?, content: [Unicode.Scalar])
    /// Elements removed.
    case delete([CharRange])

    /// The placeholder content of a list item (an item's own text is a separate field).
    public static let itemPlaceholder: Unicode.Scalar = "\u{FFFC}"
}
