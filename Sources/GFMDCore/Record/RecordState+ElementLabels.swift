/// The sequence insertions of a record's changes outside one change's causal
/// past (concurrent with it), by change: each with the sequence it went into
/// as this state holds it (``RecordState/heldTarget(_:of:past:)``).
package typealias ConcurrentInsertions = [ChangeHash: [(target: SequenceTarget, range: CharRange)]]

/// How one change's sequence edits apply to a record whose element ids two
/// concurrent changes of one site took alike (`Protocol/state.md`, "Element
/// labels"; `Protocol/changes.md`, rule 8).
package struct ElementLabelling {
    /// The change's operations, every element (and list item) it names
    /// named as this state holds it.
    package let operations: [ChangeOperation]
    /// What the change's insertions go by: its site, or its element label
    /// when one of them took an id a concurrent change of its site took.
    package let label: SiteID
    /// The concurrent changes whose insertions take their element labels
    /// with this change (their ids collided with its), with those insertions.
    package let relabelled: [(change: ChangeHash, insertions: [(target: SequenceTarget, range: CharRange)])]
}

extension RecordState {
    /// How `change`'s sequence edits name elements of this state, given the
    /// insertions concurrent with it (`Protocol/changes.md`, rule 8): nil
    /// when they apply as written.
    ///
    /// An element is named by its id when exactly one change of the causal
    /// past (or the change itself) inserted that id into the sequence, and
    /// by the element label of its change when several did. An insertion
    /// reusing an id of the causal past is `duplicate_element`; one taking an
    /// id a concurrent change of its site took labels both.
    ///
    /// - Throws: ``ChangeError`` (`unknown_element`, `duplicate_element`).
    package func labelling(of change: Change, hash: ChangeHash, concurrent: ConcurrentInsertions) throws(ChangeError) -> ElementLabelling? {
        guard !header.labels.isEmpty || !concurrent.isEmpty, change.hasSequenceEdits else { return nil }
        var resolver = ElementResolver(record: self, author: change.site, concurrent: concurrent)
        let collided = try resolver.collisions(of: change)
        let label = collided.isEmpty ? change.site : SiteID.elementLabel(of: hash)
        resolver.reset(ownLabel: label)
        let operations = try resolver.operations(of: change)
        guard !collided.isEmpty || !header.labels.isEmpty else { return nil }
        let relabelled = collided.sorted().compactMap { other in
            header.labels[other] == nil ? (other, concurrent[other] ?? []) : nil
        }
        return ElementLabelling(operations: operations, label: label, relabelled: relabelled)
    }

    /// The sequence `target`, as change `change` (of site `site`) named it,
    /// is in this state: a list item's text lives under the item's id here,
    /// which is the item's label once concurrent changes inserted items with
    /// its id. `past` gives the change's causal past, asked only then.
    package func heldTarget(_ target: SequenceTarget, of change: ChangeHash, past: () throws -> Set<ChangeHash>) rethrows -> SequenceTarget {
        guard case .itemText(let field, let item) = target, !header.labels.isEmpty,
              let items = listField(field)?.items else { return target }
        let labelled = labelIndex()
        guard labelled[item.site] == nil else { return target }
        var holders: [(label: SiteID, change: ChangeHash?)] = []
        if items.contains(item) { holders.append((item.site, nil)) }
        for (label, entry) in labelled where entry.site == item.site && items.contains(CharID(site: label, counter: item.counter)) {
            holders.append((label, entry.change))
        }
        guard holders.count > 1 else { return holders.first.map { .itemText(field, CharID(site: $0.label, counter: item.counter)) } ?? target }
        if let own = holders.first(where: { $0.change == change }) { return .itemText(field, CharID(site: own.label, counter: item.counter)) }
        let past = try past()
        let seen = holders.filter { $0.change.map(past.contains) ?? false }
        return seen.count == 1 ? .itemText(field, CharID(site: seen[0].label, counter: item.counter)) : target
    }

    /// Labels, then applies, what ``labelling(of:hash:concurrent:)`` decided:
    /// the concurrent changes' insertions take their labels first.
    mutating func applyLabels(of labelling: ElementLabelling, author: SiteID, hash: ChangeHash) {
        // Items first, so that the texts of items that move are found under their new ids.
        var movedItems: [(field: String, range: CharRange, label: SiteID)] = []
        for (change, insertions) in labelling.relabelled {
            guard let site = insertions.first?.range.site else { continue }
            header.labels[change] = site
            let label = SiteID.elementLabel(of: change)
            for case (.items(let field), let range) in insertions {
                modifyList(field) { $0.relabelItems(runOf: site, at: range.counter, to: label) }
                movedItems.append((field, range, label))
            }
        }
        for (change, insertions) in labelling.relabelled {
            let label = SiteID.elementLabel(of: change)
            for (target, range) in insertions {
                switch target {
                case .text(let field):
                    modifyText(field) { _ = $0.relabel(runOf: range.site, at: range.counter, to: label) }
                case .items:
                    continue
                case .itemText(let field, var item):
                    if let moved = movedItems.first(where: { $0.field == field && $0.range.overlaps(CharRange(site: item.site, counter: item.counter, count: 1)) }) {
                        item = CharID(site: moved.label, counter: item.counter)
                    }
                    modifyList(field) { list in
                        guard var text = list.texts.removeValue(forKey: item) else { return }
                        text.relabel(runOf: range.site, at: range.counter, to: label)
                        list.texts[item] = text
                    }
                }
            }
        }
        if labelling.label != author { header.labels[hash] = author }
    }

    /// Gives every labelled run read back from an encoding its inserting site.
    mutating func adoptLabels() {
        guard !header.labels.isEmpty else { return }
        let nominals = labelIndex().mapValues(\.site)
        for (key, field) in fields {
            switch field {
            case .text(var text):
                text.adopt(nominals: nominals)
                fields[key] = .text(text)
            case .list(var list):
                list.adopt(nominals: nominals)
                fields[key] = .list(list)
            default:
                continue
            }
        }
    }

    /// `operations`, made on this state by this replica, with every element
    /// named as rule 8 asks: by its id where one change inserted it, by its
    /// label only where several did (the writer's edits name labels).
    package func namingElements(_ operations: [ChangeOperation]) -> [ChangeOperation] {
        guard !header.labels.isEmpty else { return operations }
        let resolver = ElementResolver(record: self, author: SiteID(words: (0, 0)), concurrent: [:])
        return operations.map { resolver.publicNames(in: $0) }
    }

    /// The content of the elements a change named `range` in a sequence
    /// (deleted or not), read as the change meant them: where several
    /// changes inserted those ids, the one in `past` (the change's causal
    /// past). For the log, which shows what a deletion removed.
    package func content(of range: CharRange, in field: String, item: CharID?, past: () throws -> Set<ChangeHash>) rethrows -> [Unicode.Scalar] {
        func sequence(_ item: CharID?) -> SequenceState? {
            item.map { listField(field)?.texts[$0] } ?? textField(field)
        }
        guard !header.labels.isEmpty else { return sequence(item)?.content(of: range) ?? [] }
        let labelled = labelIndex()
        var seen: Set<ChangeHash>?
        /// The name a sequence holds element `counter` of `site` by, as the change meant it.
        func held(_ site: SiteID, _ counter: UInt64, in sequence: SequenceState) throws -> (name: SiteID, next: UInt64)? {
            let direct = sequence.extent(of: site, at: counter)
            if direct.holds || labelled[site] != nil { return direct.holds ? (site, direct.next) : nil }
            for (label, entry) in labelled where entry.site == site {
                let extent = sequence.extent(of: label, at: counter)
                guard extent.holds else { continue }
                if seen == nil { seen = try past() }
                if seen!.contains(entry.change) { return (label, extent.next) }
            }
            return nil
        }
        var target = item
        if let item, let items = listField(field)?.items, let name = try held(item.site, item.counter, in: items) {
            target = CharID(site: name.name, counter: item.counter)
        }
        guard let sequence = sequence(target) else { return [] }
        var content: [Unicode.Scalar] = []
        var counter = range.counter
        let end = range.counter + range.count
        while counter < end, let name = try held(range.site, counter, in: sequence) {
            let take = min(name.next, end) - counter
            content += sequence.content(of: CharRange(site: name.name, counter: counter, count: take))
            counter += take
        }
        return content
    }

    /// The element labels of this record: label → (change, site).
    fileprivate func labelIndex() -> [SiteID: (change: ChangeHash, site: SiteID)] {
        var index: [SiteID: (change: ChangeHash, site: SiteID)] = [:]
        for (change, site) in header.labels { index[SiteID.elementLabel(of: change)] = (change, site) }
        return index
    }
}

extension Change {
    /// Whether any operation edits a text or a list by element.
    package var hasSequenceEdits: Bool {
        operations.contains {
            switch $0 {
            case .text, .list: true
            default: false
            }
        }
    }
}

/// Names elements the way rule 8 reads them, against one state, for one change.
private struct ElementResolver {
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
