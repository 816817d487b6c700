/// What ``Admission`` asks of the replica it admits changes into: the
/// changes it holds, their records and their causal past. Every answer
/// reflects the effects carried out so far (``AdmissionEffect``), and only
/// those: the store answers from SQLite, tests from memory.
package protocol AdmissionLedger: CausalHistory {
    /// Whether the replica holds `hash`: applied, pending or rejected.
    func holds(_ hash: ChangeHash) throws -> Bool
    /// Whether the replica rejected `hash`.
    func isRejected(_ hash: ChangeHash) throws -> Bool
    /// The record and trust frontier of `hash`, when the replica applied it.
    func applied(_ hash: ChangeHash) throws -> (record: RecordID, frontier: [ChangeHash])?
    /// Record `id`'s merged state and latest changes, when the replica holds it.
    func record(_ id: RecordID) throws -> (state: RecordState, heads: Set<ChangeHash>)?
    /// Calls `body` with each applied change of record `id`, newest first (a
    /// reverse causal order), until it returns false: its id, its
    /// dependencies, and the change itself, decoded only if asked for.
    func forEachChange(
        of id: RecordID, newestFirst body: (ChangeHash, [ChangeHash], () throws -> EncodedChange) throws -> Bool
    ) throws
    /// The changes an earlier apply kept as pending that wait for
    /// `dependency`, each with everything it still waits for.
    func pending(waitingFor dependency: ChangeHash) throws -> [(change: EncodedChange, tag: Arrival, missing: Set<ChangeHash>)]
}

/// Where a change came from, carried from its arrival to its effects: the
/// commit that brought it (as the replica stores it), its leaf in that
/// commit, and the bundle, if any.
package struct Arrival: Hashable, Sendable {
    package let commitID: Int64
    package let leafIndex: Int
    package let bundleID: Int64?

    package init(commitID: Int64, leafIndex: Int, bundleID: Int64?) {
        self.commitID = commitID
        self.leafIndex = leafIndex
        self.bundleID = bundleID
    }
}

/// What ``Admission`` decided, for the replica to carry out, in order,
/// before it asks for the next decision.
package enum AdmissionEffect {
    /// Append `change` to the log, with its trust frontier; `state` is its
    /// record's state with it applied (the machine keeps its own).
    case append(EncodedChange, tag: Arrival, frontier: [ChangeHash], state: RecordState)
    /// Keep `change` as rejected, with the rule's code and the reason.
    case reject(EncodedChange, tag: Arrival, code: String, reason: String)
    /// Forget pending change `hash` an earlier apply kept: it is decided now.
    case unpend(ChangeHash)
    /// Nothing waits for `hash` any more (it was applied): forget that pending changes did.
    case satisfied(ChangeHash)
}
