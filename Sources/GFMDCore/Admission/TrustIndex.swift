/// The trust record's changes in memory: which certificates and revocations
/// lie in a change's causal past. The store keeps one between applies while
/// the trust record's heads show that no other process changed it.
///
/// A change's *trust frontier* is the set of latest trust-record changes in
/// its causal past: those it depends on directly, and those its record
/// dependencies had. The trust state at a frontier is what the trust-record
/// changes in its closure certify and revoke.
package final class TrustIndex: @unchecked Sendable {
    package let root: SitePublicKey
    package let record: RecordID
    /// The trust record's latest changes.
    package private(set) var heads: Set<ChangeHash> = []
    private var dependencies: [ChangeHash: [ChangeHash]] = [:]
    private var changes: [ChangeHash: Change] = [:]
    private var closures: [ChangeHash: Set<ChangeHash>] = [:]
    /// The changes that certify or revoke each site, in the order added.
    private var concerning: [SiteID: [ChangeHash]] = [:]
    private var states: [[ChangeHash]: TrustState] = [:]
    /// The heads sorted, kept until a change is added, and the state at
    /// them: a trust record every laptop's enrolment added a head to has as
    /// many heads as laptops.
    private var sortedHeads: [ChangeHash]?
    private var currentState: TrustState?

    /// The index of the trust record of `root`, holding `changes` (in a causal order).
    package init(root: SitePublicKey, changes: some Sequence<EncodedChange>) {
        self.root = root
        record = TrustRecord.id(for: root)
        for change in changes { add(change) }
    }

    /// The changes that certify or revoke `site`, in log order.
    package func changes(concerning site: SiteID) -> [ChangeHash] {
        concerning[site] ?? []
    }

    /// Whether `hash` is a trust-record change this replica holds.
    package func contains(_ hash: ChangeHash) -> Bool { changes[hash] != nil }

    /// The trust-record change `hash`, decoded, when this replica holds it.
    package func change(_ hash: ChangeHash) -> Change? { changes[hash] }

    /// Takes in a trust-record change just applied.
    package func add(_ change: EncodedChange) {
        for dependency in change.change.dependencies { heads.remove(dependency) }
        heads.insert(change.hash)
        changes[change.hash] = change.change
        dependencies[change.hash] = change.change.dependencies
        for site in TrustRecord.sites(concernedBy: change.change) { concerning[site, default: []].append(change.hash) }
        states = [:]
        sortedHeads = nil
        // Every change held is in the closure of the heads, and a trust state
        // does not depend on the order its changes are applied in: the state
        // at the new heads is the one before with this change applied (not
        // recomputed from every certificate for each bundle a hub applies).
        currentState?.apply(change.change)
    }

    /// The heads, sorted.
    package var headsInOrder: [ChangeHash] {
        if let sortedHeads { return sortedHeads }
        sortedHeads = heads.sorted()
        return sortedHeads!
    }

    /// `hash` and every trust change it depends on.
    package func closure(of hash: ChangeHash) -> Set<ChangeHash> {
        if let cached = closures[hash] { return cached }
        var seen: Set<ChangeHash> = [hash]
        var frontier = [hash]
        while let next = frontier.popLast() {
            for dependency in dependencies[next] ?? [] where seen.insert(dependency).inserted { frontier.append(dependency) }
        }
        closures[hash] = seen
        return seen
    }

    /// The latest changes of `hashes`: those no other of them depends on, sorted.
    package func maximal(_ hashes: Set<ChangeHash>) -> [ChangeHash] {
        guard hashes.count > 1 else { return Array(hashes) }
        return hashes.filter { candidate in
            !hashes.contains { $0 != candidate && closure(of: $0).contains(candidate) }
        }.sorted()
    }

    /// Every certificate and revocation of the trust record.
    package var current: TrustState {
        if let currentState { return currentState }
        currentState = state(at: headsInOrder)
        return currentState!
    }

    /// The certificates and revocations in the closure of `frontier`.
    package func state(at frontier: [ChangeHash]) -> TrustState {
        if let cached = states[frontier] { return cached }
        var state = TrustState()
        var included = Set<ChangeHash>()
        for hash in frontier { included.formUnion(closure(of: hash)) }
        for hash in included.sorted() {
            if let change = changes[hash] { state.apply(change) }
        }
        states[frontier] = state
        return state
    }
}
