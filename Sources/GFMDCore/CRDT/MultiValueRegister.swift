/// A multi-value register whose writes name the writes they overwrite.
///
/// Each write carries `pred`, the writes its author saw (Automerge's `pred`);
/// the register's values are the writes that no write has named. Concurrent
/// writes therefore survive side by side, and a displayed ``winner`` is chosen
/// deterministically (latest timestamp, then greatest write id).
///
/// The superseded ids are kept, so the state is a function of the *set* of
/// writes applied, whatever their order, even when a write arrives after one
/// that superseded it.
///
/// Laws (checked by the property tests): ``merge(_:)`` is commutative,
/// associative and idempotent, and applying writes in any order yields the
/// same register as merging registers that each hold some of them.
public struct MultiValueRegister<V: Hashable & Sendable>: Hashable, Sendable {
    /// One surviving write.
    public struct Entry: Hashable, Sendable {
        /// The value written.
        public let value: V
        /// The change that wrote it.
        public let write: ChangeHash
        /// When it was written.
        public let timestamp: HybridTimestamp

        /// Creates an entry.
        public init(value: V, write: ChangeHash, timestamp: HybridTimestamp) {
            self.value = value
            self.write = write
            self.timestamp = timestamp
        }
    }

    /// Surviving writes, sorted by write id.
    public private(set) var entries: [Entry]
    /// Ids of writes named in some write's `pred`, sorted.
    public private(set) var superseded: [ChangeHash]

    /// An empty register.
    public init() {
        entries = []
        superseded = []
    }

    /// Rebuilds a register from its parts (used by decoding); `entries` and
    /// `superseded` must be sorted and disjoint.
    init(entries: [Entry], superseded: [ChangeHash]) {
        self.entries = entries
        self.superseded = superseded
        checkInvariants()
    }

    /// Whether no write survives.
    public var isEmpty: Bool { entries.isEmpty }

    /// The ids of the surviving writes: what a new write must name in `pred`.
    public var currentWrites: [ChangeHash] { entries.map(\.write) }

    /// The value displayed: the latest write, ties broken by the greater id.
    public var winner: Entry? {
        entries.max { ($0.timestamp, $0.write) < ($1.timestamp, $1.write) }
    }

    /// Whether concurrent writes hold different values (a visible conflict).
    public var isConflicted: Bool {
        guard let first = entries.first else { return false }
        return entries.contains { $0.value != first.value }
    }

    /// Applies the write of `value` by change `write`, superseding `pred`.
    public mutating func write(_ value: V, by write: ChangeHash, at timestamp: HybridTimestamp, superseding pred: [ChangeHash]) {
        for old in pred { superseded.sortedInsert(old) }
        if !pred.isEmpty { entries.removeAll { superseded.sortedContains($0.write) } }
        if !superseded.sortedContains(write), !entries.contains(where: { $0.write == write }) {
            let index = entries.firstIndex { write < $0.write } ?? entries.endIndex
            entries.insert(Entry(value: value, write: write, timestamp: timestamp), at: index)
        }
        checkInvariants()
    }

    /// Merges another replica's register into this one (join of the two states).
    public mutating func merge(_ other: MultiValueRegister) {
        superseded = superseded.sortedUnion(other.superseded)
        var byWrite: [ChangeHash: Entry] = [:]
        for entry in entries + other.entries where !superseded.sortedContains(entry.write) {
            byWrite[entry.write] = entry
        }
        entries = byWrite.values.sorted { $0.write < $1.write }
        checkInvariants()
    }

    /// The join of this register and `other`.
    public func merged(with other: MultiValueRegister) -> MultiValueRegister {
        var copy = self
        copy.merge(other)
        return copy
    }

    private func checkInvariants() {
        #if DEBUG
        assert(zip(entries, entries.dropFirst()).allSatisfy { $0.write < $1.write }, "entries sorted by write")
        assert(zip(superseded, superseded.dropFirst()).allSatisfy { $0 < $1 }, "superseded sorted")
        assert(entries.allSatisfy { !superseded.sortedContains($0.write) }, "no superseded entry survives")
        #endif
    }
}
