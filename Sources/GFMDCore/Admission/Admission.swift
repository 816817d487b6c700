/// Admission of changes into a replica, as a state machine with no I/O: it
/// takes changes in any order and decides, for each, from its causal past
/// alone, whether it waits for its dependencies, is applied, or is rejected
/// (the rules of `Protocol/changes.md`, 5 to 9, and the authorisation of
/// `Protocol/trust.md`), the same on every replica whatever order changes
/// arrive in.
///
/// It reads what the replica holds through an ``AdmissionLedger`` and
/// answers ``AdmissionEffect``s, one decision at a time: the caller carries
/// out the effects of a step before asking for the next, so that the ledger
/// answers the next decision with them (``receive(_:tag:from:)``, then
/// ``step(from:)`` until it answers nil). It keeps the states of the records
/// it touched (``changedRecords``) and what still waits (``waiting``).
///
/// The store runs it in one transaction per bundle; the tests run it on a
/// ledger in memory.
package struct Admission {
    /// What the machine reads the replica through.
    package typealias Ledger = any AdmissionLedger

    /// What becomes of a change that may not or cannot be applied.
    package enum Policy: Sendable {
        /// Local edits: an unauthorised change is refused with its reason (thrown).
        case refuse
        /// Changes received: a change that breaks a rule is kept as rejected.
        case receive
    }

    /// A change waiting for dependencies that have not arrived.
    package struct Waiting {
        package let change: EncodedChange
        package let tag: Arrival
        package var missing: Set<ChangeHash>
    }

    /// How many changes each way went, so far.
    package struct Counts: Sendable {
        /// Changes received that the replica already held.
        package var duplicates = 0
        /// Changes received and applied.
        package var applied = 0
        /// Changes rejected (received, or pending from an earlier apply).
        package var rejected = 0
        /// Pending changes of earlier applies applied now.
        package var released = 0
    }

    private struct Slot {
        var state: RecordState
        var heads: Set<ChangeHash>
        var changed = false
        let isNew: Bool
    }

    private enum Work {
        case decide(EncodedChange, Arrival, fromPending: Bool)
        case release(ChangeHash)
        case rejectWaiters(ChangeHash)
    }

    private enum Dependency { case present, missing, rejected }

    /// The trust record's changes, shared with the replica (it grows as trust changes are applied).
    package let trust: TrustIndex
    package let policy: Policy
    /// Whether changes are authorised (trust.md); without, the rules of
    /// changes.md decide alone, and as no trust record is known, a change of
    /// another record is taken for a trust-record change (rule 5): the
    /// merge semantics alone, as the core tests and the state vectors take them.
    package let authorising: Bool
    package private(set) var counts = Counts()
    private var slots: [RecordID: Slot] = [:]
    /// Changes applied by this machine: their records and trust frontiers.
    private var applied: [ChangeHash: (record: RecordID, frontier: [ChangeHash])] = [:]
    /// Records and trust frontiers of changes the ledger was asked about.
    private var known: [ChangeHash: (record: RecordID, frontier: [ChangeHash])] = [:]
    private var rejectedHere: Set<ChangeHash> = []
    private var waitingChanges: [ChangeHash: Waiting] = [:]
    private var waitersByDependency: [ChangeHash: [ChangeHash]] = [:]
    private var work: [Work] = []

    /// A machine admitting changes under `trust`'s root.
    package init(trust: TrustIndex, policy: Policy, authorising: Bool = true) {
        self.trust = trust
        self.policy = policy
        self.authorising = authorising
    }

    /// The changes still waiting for dependencies, for the replica to keep as pending.
    package var waiting: [ChangeHash: Waiting] { waitingChanges }

    /// The records changes were applied to, with their states and latest changes.
    package var changedRecords: [RecordID: (state: RecordState, heads: Set<ChangeHash>)] {
        slots.filter(\.value.changed).mapValues { ($0.state, $0.heads) }
    }

    // MARK: Steps

    /// Takes one change: its first decision, if it can be made now.
    ///
    /// - Throws: with policy ``Policy/refuse``, the rule the change breaks;
    ///   errors of the ledger.
    package mutating func receive(_ change: EncodedChange, tag: Arrival, from ledger: Ledger) throws -> [AdmissionEffect] {
        let hash = change.hash
        if try applied[hash] != nil || waitingChanges[hash] != nil || rejectedHere.contains(hash) || ledger.holds(hash) {
            counts.duplicates += 1
            return []
        }
        var missing = Set<ChangeHash>()
        var rejectedDependency: ChangeHash?
        for dependency in change.change.dependencies {
            switch try status(of: dependency, in: ledger) {
            case .present: continue
            case .missing: missing.insert(dependency)
            case .rejected: rejectedDependency = dependency
            }
        }
        if let rejectedDependency {
            let error = AuthorizationError(.dependsOnRejected, "it depends on change \(rejectedDependency.short), which was rejected")
            if policy == .refuse { throw error }
            work.append(.rejectWaiters(hash))
            return [reject(change, tag: tag, code: error.code.name, reason: error.reason)]
        }
        guard missing.isEmpty else {
            waitingChanges[hash] = Waiting(change: change, tag: tag, missing: missing)
            for dependency in missing { waitersByDependency[dependency, default: []].append(hash) }
            return []
        }
        return try decide(change, tag: tag, fromPending: false, in: ledger)
    }

    /// The next decision that the last one made possible (a change waiting
    /// for it, here or in the ledger's pending changes); nil when there is none.
    package mutating func step(from ledger: Ledger) throws -> [AdmissionEffect]? {
        guard let next = work.popLast() else { return nil }
        switch next {
        case .decide(let change, let tag, let fromPending):
            return try decide(change, tag: tag, fromPending: fromPending, in: ledger)
        case .release(let hash):
            return try release(after: hash, in: ledger)
        case .rejectWaiters(let hash):
            return try rejectWaiters(of: hash, in: ledger)
        }
    }

    /// The changes that waited only for `hash`, here and in the ledger, queued to be decided.
    private mutating func release(after hash: ChangeHash, in ledger: Ledger) throws -> [AdmissionEffect] {
        for waiter in waitersByDependency.removeValue(forKey: hash) ?? [] {
            guard var entry = waitingChanges[waiter] else { continue }
            entry.missing.remove(hash)
            if entry.missing.isEmpty {
                waitingChanges[waiter] = nil
                work.append(.decide(entry.change, entry.tag, fromPending: false))
            } else {
                waitingChanges[waiter] = entry
            }
        }
        var effects: [AdmissionEffect] = []
        let pending = try ledger.pending(waitingFor: hash)
        guard !pending.isEmpty else { return effects }
        for entry in pending where entry.missing.subtracting([hash]).isEmpty {
            effects.append(.unpend(entry.change.hash))
            work.append(.decide(entry.change, entry.tag, fromPending: true))
        }
        effects.append(.satisfied(hash))
        return effects
    }

    /// Rejects every change waiting, here or in the ledger, on rejected change `hash`.
    private mutating func rejectWaiters(of hash: ChangeHash, in ledger: Ledger) throws -> [AdmissionEffect] {
        let reason = "it depends on change \(hash.short), which was rejected"
        let code = AuthorizationError.Code.dependsOnRejected.name
        var effects: [AdmissionEffect] = []
        for waiter in waitersByDependency.removeValue(forKey: hash) ?? [] {
            guard let entry = waitingChanges.removeValue(forKey: waiter) else { continue }
            effects.append(reject(entry.change, tag: entry.tag, code: code, reason: reason))
            work.append(.rejectWaiters(waiter))
        }
        for entry in try ledger.pending(waitingFor: hash) {
            effects.append(.unpend(entry.change.hash))
            effects.append(reject(entry.change, tag: entry.tag, code: code, reason: reason))
            work.append(.rejectWaiters(entry.change.hash))
        }
        return effects
    }

    private mutating func reject(_ change: EncodedChange, tag: Arrival, code: String, reason: String) -> AdmissionEffect {
        rejectedHere.insert(change.hash)
        counts.rejected += 1
        return .reject(change, tag: tag, code: code, reason: reason)
    }

    // MARK: Deciding one change

    /// Decides `change`, whose dependencies are all applied: applies it, or rejects it.
    private mutating func decide(_ change: EncodedChange, tag: Arrival, fromPending: Bool, in ledger: Ledger) throws -> [AdmissionEffect] {
        let record = change.change.record
        let frontier: [ChangeHash]
        let labelling: ElementLabelling?
        do {
            // The rules of changes.md first, then those of trust.md, each from the causal past alone.
            let dependencies = try recordDependencies(of: change, in: ledger)
            if slots[record] == nil {
                if let held = try ledger.record(record) {
                    slots[record] = Slot(state: held.state, heads: held.heads, isNew: false)
                } else {
                    slots[record] = Slot(state: try RecordState(creatingWith: change), heads: [], isNew: true)
                }
            }
            let state = slots[record]!.state
            let identity = try identity(of: change, recordDependencies: dependencies, state: state, in: ledger)
            let concurrent = try concurrentInsertions(of: change, recordDependencies: dependencies, state: state, in: ledger)
            do {
                labelling = try state.labelling(of: change.change, hash: change.hash, concurrent: concurrent)
            } catch {
                throw error.attributed(to: change.hash)
            }
            try state.validate(change, seenAs: identity, labelling: labelling)
            frontier = try self.frontier(of: change, in: ledger)
            if authorising { try authorize(change, identity: identity, frontier: frontier, in: ledger) }
        } catch let error as any ChangeVerdict {
            if policy == .refuse { throw error }
            if let slot = slots[record], !slot.changed, slot.isNew { slots[record] = nil }
            work.append(.rejectWaiters(change.hash))
            return [reject(change, tag: tag, code: error.codeName, reason: error.reason)]
        }
        // Modified in place through the dictionary, so a long text is not copied.
        try slots[record]!.state.apply(validated: change, history: ledger, labelling: labelling)
        for dependency in change.change.dependencies { slots[record]!.heads.remove(dependency) }
        slots[record]!.heads.insert(change.hash)
        slots[record]!.changed = true
        applied[change.hash] = (record, frontier)
        if record == trust.record { trust.add(change) }
        if fromPending { counts.released += 1 } else { counts.applied += 1 }
        work.append(.release(change.hash))
        return [.append(change, tag: tag, frontier: frontier, state: slots[record]!.state)]
    }

    /// Whether dependency `hash` has been applied, was rejected, or is still to come.
    private mutating func status(of hash: ChangeHash, in ledger: Ledger) throws -> Dependency {
        if try held(hash, in: ledger) != nil { return .present }
        if try rejectedHere.contains(hash) || ledger.isRejected(hash) { return .rejected }
        return .missing
    }

    /// The record and trust frontier of applied change `hash`.
    private mutating func held(_ hash: ChangeHash, in ledger: Ledger) throws -> (record: RecordID, frontier: [ChangeHash])? {
        if let entry = applied[hash] ?? known[hash] { return entry }
        guard let entry = try ledger.applied(hash) else { return nil }
        known[hash] = entry
        return entry
    }

    /// The latest trust-record changes in `change`'s causal past, whose
    /// dependencies are all applied.
    private mutating func frontier(of change: EncodedChange, in ledger: Ledger) throws -> [ChangeHash] {
        var latest = Set<ChangeHash>()
        for dependency in change.change.dependencies {
            if trust.contains(dependency) {
                latest.insert(dependency)
            } else if let frontier = try held(dependency, in: ledger)?.frontier {
                latest.formUnion(frontier)
            }
        }
        return trust.maximal(latest)
    }

    /// The dependencies of `change` (all applied) on its own record, after
    /// checking that the others are trust-record changes (changes.md, rule 5).
    private mutating func recordDependencies(of change: EncodedChange, in ledger: Ledger) throws -> [ChangeHash] {
        let c = change.change
        var own: [ChangeHash] = []
        for dependency in c.dependencies {
            let record = try held(dependency, in: ledger)?.record
            if record == c.record {
                own.append(dependency)
            } else if record != trust.record, authorising {
                throw ChangeError(.foreignDependency, change: change.hash,
                    "it depends on change \(dependency.short) of another record (\(record?.short ?? "unknown"))")
            }
        }
        guard c.record != trust.record else { return own }
        if c.creation != nil, !own.isEmpty {
            throw ChangeError(.foreignDependency, change: change.hash, "a change creating its record depends only on trust-record changes")
        }
        if c.creation == nil, own.isEmpty {
            throw ChangeError(.missingCreate, change: change.hash,
                "it edits record \(c.record.short) but depends on none of its changes: no create of it is in its causal past")
        }
        return own
    }

    /// The sequence insertions of the record's changes outside `change`'s
    /// causal past (changes.md, rule 8): an edit naming what they inserted is
    /// refused, and an insertion taking the ids one of them took gives both
    /// their element labels, so every replica judges the change alike
    /// whether or not those changes arrived first. Looked up only when the
    /// record holds changes the change did not see.
    private func concurrentInsertions(
        of change: EncodedChange, recordDependencies: [ChangeHash], state: RecordState, in ledger: Ledger
    ) throws -> ConcurrentInsertions {
        guard change.change.hasSequenceEdits, Set(recordDependencies) != slots[change.change.record]!.heads else { return [:] }
        // The changes outside the causal past are the ancestors of the heads
        // it does not depend on that are not its ancestors. Newest first is a
        // reverse causal order, so each change is marked before it is met,
        // and the walk stops once no unseen branch is left: usually after
        // the few newest changes.
        var past = Set(recordDependencies)
        var unseenBranches = slots[change.change.record]!.heads.subtracting(past)
        var concurrent: ConcurrentInsertions = [:]
        let trust = trust
        try ledger.forEachChange(of: change.change.record) { hash, allDependencies, decode in
            let dependencies = allDependencies.filter { !trust.contains($0) }
            if past.contains(hash) {
                past.formUnion(dependencies)
                unseenBranches.remove(hash)
            } else if unseenBranches.remove(hash) != nil {
                unseenBranches.formUnion(dependencies)
                let inserted = try decode().change.insertedElements
                if !inserted.isEmpty {
                    concurrent[hash] = try inserted.map { target, range in
                        (try state.heldTarget(target, of: hash) { try ledger.ancestry(of: dependencies) }, range)
                    }
                }
            }
            return !unseenBranches.isEmpty
        }
        return concurrent
    }

    /// The record's type and owner as the creates and settlements in the
    /// causal past of `change` give them (changes.md, rule 6).
    ///
    /// While the record was never contested, the header says it; once its
    /// creates disagreed, or for a settlement, the record's changes among the
    /// change's ancestors are looked up.
    private func identity(
        of change: EncodedChange, recordDependencies: [ChangeHash], state: RecordState, in ledger: Ledger
    ) throws -> RecordIdentity {
        let settles = change.change.operations.contains { $0.field == Settlement.field }
        if let creation = change.change.creation, !settles { return RecordIdentity(type: creation.type, owner: creation.owner) }
        // A settlement is judged on the whole causal past, even on a record never contested.
        if !settles, !state.header.isContested, state.registerField(Settlement.field) == nil { return state.header.identity }
        return try RecordIdentity.seen(by: change, past: past(of: recordDependencies, record: change.change.record, in: ledger))
    }

    /// Checks that `change`'s author was allowed to make it, from its causal past.
    private func authorize(_ change: EncodedChange, identity: RecordIdentity, frontier: [ChangeHash], in ledger: Ledger) throws {
        let context = Authorizer.Context(
            root: trust.root, trust: trust.state(at: frontier), identity: change.change.creation == nil ? identity : nil,
            governance: { try governance(before: change, in: ledger) })
        try Authorizer.check(change.change, record: change.change.record, in: context)
    }

    /// Co-authors and work-flow state of `change`'s record at its dependencies.
    private func governance(before change: EncodedChange, in ledger: Ledger) throws -> Governance {
        let slot = slots[change.change.record]!
        let recordDependencies = change.change.dependencies.filter { !trust.contains($0) }
        let current = Governance(slot.state)
        // The record's state holds every change applied, so the causal past of
        // any change: without governance operations so far, there is none in it.
        if current == Governance() || Set(recordDependencies) == slot.heads { return current }
        var governance = Governance()
        for past in try past(of: recordDependencies, record: change.change.record, in: ledger) { governance.apply(past) }
        return governance
    }

    /// The changes of `record` in the causal past of `dependencies` (inclusive).
    private func past(of dependencies: [ChangeHash], record: RecordID, in ledger: Ledger) throws -> [EncodedChange] {
        let ancestry = try ledger.ancestry(of: dependencies)
        var past: [EncodedChange] = []
        try ledger.forEachChange(of: record) { hash, _, decode in
            if ancestry.contains(hash) { past.append(try decode()) }
            return true
        }
        return past
    }
}
