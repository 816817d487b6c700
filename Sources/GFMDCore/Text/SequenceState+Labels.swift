import Crypto

extension SiteID {
    /// The element label of `change`: the id its insertions go by once one of
    /// them took an id a concurrent change of the same site took too
    /// (`Protocol/state.md`, "Element labels"): the first 16 bytes of the
    /// SHA-256 of `"gfmd element label"` followed by the change's id.
    public static func elementLabel(of change: ChangeHash) -> SiteID {
        var hasher = SHA256()
        hasher.update(data: Array("gfmd element label".utf8))
        change.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return SiteID(bytes: Array(hasher.finalize().prefix(16)))
    }
}

extension SequenceState {
    /// Whether the run of `label` holding `counter` exists, and the next
    /// counter at which that may change (the run's end, or the next run's
    /// start; `UInt64.max` when none).
    func extent(of label: SiteID, at counter: UInt64) -> (holds: Bool, next: UInt64) {
        guard let site = storage.index(of: label) else { return (false, .max) }
        if let run = storage.run(containing: .init(site: site, counter: counter)) { return (true, run.end) }
        return (false, storage.nextStart(after: counter, site: site) ?? .max)
    }

    /// Gives the run `site` inserted from `counter` the label `label`; every
    /// origin naming its elements names them by the label from then on.
    /// Nothing moves. False when the sequence holds no such run.
    @discardableResult
    mutating func relabel(runOf site: SiteID, at counter: UInt64, to label: SiteID) -> Bool {
        guard let index = storage.index(of: site),
              let run = storage.run(containing: .init(site: index, counter: counter)), run.counter == counter else { return false }
        makeUnique()
        // Looked up again: the copy has runs of its own.
        let copy = storage.run(containing: .init(site: index, counter: counter))!
        storage.relabel(copy, to: storage.intern(label))
        storage.checkInvariants()
        return true
    }

    /// The runs labelled with one of `labels`, given their inserting sites
    /// (a state read back from its encoding knows its runs only by label).
    mutating func adopt(nominals: [SiteID: SiteID]) {
        let present = nominals.filter { storage.index(of: $0.key) != nil }
        guard !present.isEmpty else { return }
        makeUnique()
        for (label, site) in present {
            let index = storage.index(of: label)!
            let nominal = storage.intern(site)
            if !storage.labels.contains(index) { storage.labels.append(index) }
            storage.replaceNominal(of: index, with: nominal)
        }
    }
}
