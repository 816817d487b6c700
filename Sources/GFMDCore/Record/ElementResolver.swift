/// Names elements the way rule 8 reads them, against one state, for one change.
struct ElementResolver {
    /// Who holds an element: a run of the state, by label, or the change itself.
    enum Holder: Equatable {
        case held(SiteID)
        case own
    }

    let record: RecordState
    let author: SiteID
    let concurrent: ConcurrentInsertions
    let labelled: [SiteID: (change: ChangeHash, site: SiteID)]
    let labelsBySite: [SiteID: [SiteID]]
    /// The insertions of concurrent changes without a label, by sequence:
    /// the runs of the state they made still go by their site.
    let unlabelledConcurrent: [SequenceTarget: [CharRange]]
    /// What the change's own insertions go by.
    private var ownLabel: SiteID
    /// The change's insertions met so far, by sequence.
    private var own: [SequenceTarget: [CharRange]] = [:]

    init(record: RecordState, author: SiteID, concurrent: ConcurrentInsertions) {
        self.record = record
        self.author = author
        self.concurrent = concurrent
        let labelled = record.labelIndex()
        self.labelled = labelled
        labelsBySite = Dictionary(grouping: labelled.keys, by: { labelled[$0]!.site })
        var unlabelled: [SequenceTarget: [CharRange]] = [:]
        for (change, insertions) in concurrent where record.header.labels[change] == nil {
            for (target, range) in insertions { unlabelled[target, default: []].append(range) }
        }
        unlabelledConcurrent = unlabelled
        ownLabel = author
    }

    mutating func reset(ownLabel: SiteID) {
        self.ownLabel = ownLabel
        own = [:]
    }

    private func sequence(_ target: SequenceTarget) -> SequenceState? {
        switch target {
        case .text(let field): record.textField(field)
        case .items(let field): record.listField(field)?.items
        case .itemText(let field, let item): record.listField(field)?.texts[item]
        }
    }

    /// The holders of element `counter` of `site` in `target` that lie in
    /// the causal past (or are the change itself), and the next counter at
    /// which they may differ.
    func holders(of site: SiteID, _ counter: UInt64, in target: SequenceTarget) -> (holders: [Holder], next: UInt64) {
        var holders: [Holder] = []
        var next = UInt64.max
        if let sequence = sequence(target) {
            let (holds, end) = sequence.extent(of: site, at: counter)
            next = end
            if holds, !(unlabelledConcurrent[target]?.contains { $0.site == site && $0.counter <= counter && counter < $0.counter &+ $0.count } ?? false) {
                holders.append(.held(site))
            }
            for label in labelsBySite[site] ?? [] {
                let (holds, end) = sequence.extent(of: label, at: counter)
                next = min(next, end)
                if holds, concurrent[labelled[label]!.change] == nil { holders.append(.held(label)) }
            }
        }
        if site == author {
            for range in own[target] ?? [] {
                if range.counter <= counter && counter < range.counter + range.count {
                    holders.append(.own)
                    next = min(next, range.counter + range.count)
                } else if range.counter > counter {
                    next = min(next, range.counter)
                }
            }
        }
        return (holders, max(next, counter + 1))
    }

    /// The name this state holds one named element by.
    private func resolve(_ id: CharID, in target: SequenceTarget) throws(ChangeError) -> CharID {
        try resolve(CharRange(site: id.site, counter: id.counter, count: 1), in: target).map { CharID(site: $0.site, counter: $0.counter) }[0]
    }

    /// The names this state holds a named range of elements by, split where they differ.
    private func resolve(_ range: CharRange, in target: SequenceTarget) throws(ChangeError) -> [CharRange] {
        var resolved: [CharRange] = []
        var counter = range.counter
        let end = range.counter + range.count
        while counter < end {
            let name: SiteID
            let next: UInt64
            if let entry = labelled[range.site] {
                // A label names an element only where several changes of the causal past inserted its id.
                let found = holders(of: entry.site, counter, in: target)
                guard found.holders.count > 1, found.holders.contains(.held(range.site)) else {
                    throw ChangeError(.unknownElement, "its edits name element \(range.site.short):\(counter) of \(target), which no change in its causal past inserted as such")
                }
                (name, next) = (range.site, found.next)
            } else {
                let found = holders(of: range.site, counter, in: target)
                guard found.holders.count == 1 else {
                    throw ChangeError(.unknownElement, found.holders.isEmpty
                        ? "its edits name element \(range.site.short):\(counter) of \(target), which no change in its causal past inserted"
                        : "its edits name element \(range.site.short):\(counter) of \(target), which several changes in its causal past inserted: name it by its element label")
                }
                switch found.holders[0] {
                case .held(let label): name = label
                case .own: name = ownLabel
                }
                next = found.next
            }
            let take = min(next, end) - counter
            CharRange.append(CharRange(site: name, counter: counter, count: take), to: &resolved)
            counter += take
        }
        return resolved
    }

    /// The sequence an operation edits, as this state holds it.
    private func target(of operation: ChangeOperation) throws(ChangeError) -> (target: SequenceTarget, edits: [SequenceEdit])? {
        switch operation {
        case .text(let field, nil, let edits): return (.text(field), edits)
        case .list(let field, let edits): return (.items(field), edits)
        case .text(let field, let item?, let edits): return (.itemText(field, try resolve(item, in: .items(field))), edits)
        default: return nil
        }
    }

    /// The concurrent changes whose insertions took ids the change's take.
    ///
    /// - Throws: `duplicate_element` for an id the causal past (or the
    ///   change itself) already took.
    mutating func collisions(of change: Change) throws(ChangeError) -> Set<ChangeHash> {
        var collided = Set<ChangeHash>()
        for operation in change.operations {
            guard let (target, edits) = try target(of: operation) else { continue }
            for case .insert(let counter, _, _, let content) in edits {
                let range = CharRange(site: author, counter: counter, count: UInt64(content.count))
                guard range.count > 0, counter <= UInt64.max - range.count else {
                    throw ChangeError(.invalidEdit, "an insertion has no content or overflows its counters")
                }
                var next = counter
                while next < counter + range.count {
                    let found = holders(of: author, next, in: target)
                    guard found.holders.isEmpty else {
                        throw ChangeError(.duplicateElement, "site \(author.short) reuses element ids \(counter)…: was its replica folder copied to another computer?")
                    }
                    next = found.next
                }
                for (other, insertions) in concurrent where insertions.contains(where: { $0.target == target && $0.range.overlaps(range) }) {
                    collided.insert(other)
                }
                own[target, default: []].append(range)
            }
        }
        return collided
    }

    /// The change's operations with every element named as this state holds it.
    mutating func operations(of change: Change) throws(ChangeError) -> [ChangeOperation] {
        try change.operations.map { operation throws(ChangeError) -> ChangeOperation in
            guard let (target, edits) = try target(of: operation) else { return operation }
            var resolved: [SequenceEdit] = []
            resolved.reserveCapacity(edits.count)
            for edit in edits {
                switch edit {
                case .insert(let counter, let left, let right, let content):
                    let newLeft = try left.map { id throws(ChangeError) in try resolve(id, in: target) }
                    let newRight = try right.map { id throws(ChangeError) in try resolve(id, in: target) }
                    own[target, default: []].append(CharRange(site: author, counter: counter, count: UInt64(content.count)))
                    resolved.append(.insert(counter: counter, left: newLeft, right: newRight, content: content))
                case .delete(let ranges):
                    var names: [CharRange] = []
                    for range in ranges {
                        guard range.count > 0, range.counter <= UInt64.max - range.count else {
                            throw ChangeError(.invalidEdit, "a deletion names no elements")
                        }
                        for name in try resolve(range, in: target) { CharRange.append(name, to: &names) }
                    }
                    resolved.append(.delete(names))
                }
            }
            switch target {
            case .text(let field): return .text(field: field, item: nil, edits: resolved)
            case .items(let field): return .list(field: field, edits: resolved)
            case .itemText(let field, let item): return .text(field: field, item: item, edits: resolved)
            }
        }
    }

    /// `operation`, made by this replica on the whole state, with each
    /// labelled element named by its id wherever only one change inserted it.
    func publicNames(in operation: ChangeOperation) -> ChangeOperation {
        func name(_ range: CharRange, in target: SequenceTarget) -> [CharRange] {
            guard let entry = labelled[range.site] else { return [range] }
            var names: [CharRange] = []
            var counter = range.counter
            let end = range.counter + range.count
            while counter < end {
                let found = holders(of: entry.site, counter, in: target)
                let take = min(found.next, end) - counter
                CharRange.append(CharRange(site: found.holders.count > 1 ? range.site : entry.site, counter: counter, count: take), to: &names)
                counter += take
            }
            return names
        }
        func name(_ id: CharID?, in target: SequenceTarget) -> CharID? {
            guard let id else { return nil }
            let range = name(CharRange(site: id.site, counter: id.counter, count: 1), in: target)[0]
            return CharID(site: range.site, counter: range.counter)
        }
        func named(_ edits: [SequenceEdit], in target: SequenceTarget) -> [SequenceEdit] {
            edits.map { edit in
                switch edit {
                case .insert(let counter, let left, let right, let content):
                    .insert(counter: counter, left: name(left, in: target), right: name(right, in: target), content: content)
                case .delete(let ranges):
                    .delete(ranges.reduce(into: []) { names, range in
                        for part in name(range, in: target) { CharRange.append(part, to: &names) }
                    })
                }
            }
        }
        switch operation {
        case .text(let field, nil, let edits): return .text(field: field, item: nil, edits: named(edits, in: .text(field)))
        case .list(let field, let edits): return .list(field: field, edits: named(edits, in: .items(field)))
        case .text(let field, let item?, let edits):
            return .text(field: field, item: name(item, in: .items(field)), edits: named(edits, in: .itemText(field, item)))
        default: return operation
        }
    }
}
