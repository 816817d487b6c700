/// An add-wins observed-remove set.
///
/// Each addition is tagged with the id of the change that made it; a removal
/// names the tags it observed and removes only those. An addition concurrent
/// with a removal has a tag the removal did not observe, so it survives: the
/// addition wins. Removed tags are remembered per element, so the state is a
/// function of the set of operations applied, in any order.
///
/// Laws (checked by the property tests): ``merge(_:)`` is commutative,
/// associative and idempotent.
public struct ObservedRemoveSet<Element: Hashable & Comparable & Sendable>: Hashable, Sendable {
    /// The additions and removals seen for one element.
    public struct Membership: Hashable, Sendable {
        /// Tags of additions not removed, sorted.
        public fileprivate(set) var live: [ChangeHash]
        /// Tags removed, sorted.
        public fileprivate(set) var removed: [ChangeHash]

        /// Rebuilds a membership from sorted, disjoint tag lists.
        public init(live: [ChangeHash], removed: [ChangeHash]) {
            self.live = live
            self.removed = removed
        }
    }

    /// Every element ever added or removed, with its tags.
    public private(set) var memberships: [Element: Membership]

    /// An empty set.
    public init() { memberships = [:] }

    /// Rebuilds a set from its memberships (used by decoding).
    init(memberships: [Element: Membership]) { self.memberships = memberships }

    /// The elements present, in ascending order.
    ///
    /// Inlinable, so that callers in other modules sort with their element
    /// type's own comparison rather than through generic witnesses.
    @inlinable public var elements: [Element] {
        memberships.filter { !$0.value.live.isEmpty }.keys.sorted()
    }

    /// Whether `element` is present.
    public func contains(_ element: Element) -> Bool {
        !(memberships[element]?.live.isEmpty ?? true)
    }

    /// The tags of the additions of `element` that are still live: what a
    /// removal must name.
    public func tags(of element: Element) -> [ChangeHash] {
        memberships[element]?.live ?? []
    }

    /// Applies an addition of `element` tagged `tag`.
    public mutating func add(_ element: Element, tag: ChangeHash) {
        var membership = memberships[element] ?? Membership(live: [], removed: [])
        if !membership.removed.sortedContains(tag) { membership.live.sortedInsert(tag) }
        memberships[element] = membership
    }

    /// Applies a removal of the additions of `element` tagged `observed`.
    public mutating func remove(_ element: Element, observed: [ChangeHash]) {
        var membership = memberships[element] ?? Membership(live: [], removed: [])
        for tag in observed { membership.removed.sortedInsert(tag) }
        membership.live.removeAll { membership.removed.sortedContains($0) }
        memberships[element] = membership
    }

    /// Merges another replica's set into this one (join of the two states).
    public mutating func merge(_ other: ObservedRemoveSet) {
        for (element, theirs) in other.memberships {
            let mine = memberships[element] ?? Membership(live: [], removed: [])
            let removed = mine.removed.sortedUnion(theirs.removed)
            let live = mine.live.sortedUnion(theirs.live).filter { !removed.sortedContains($0) }
            memberships[element] = Membership(live: live, removed: removed)
        }
    }

    /// The join of this set and `other`.
    public func merged(with other: ObservedRemoveSet) -> ObservedRemoveSet {
        var copy = self
        copy.merge(other)
        return copy
    }
}
