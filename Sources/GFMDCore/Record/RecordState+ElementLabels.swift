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

    /// The sequence `target`, as change `change` named it,
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
    func labelIndex() -> [SiteID: (change: ChangeHash, site: SiteID)] {
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
