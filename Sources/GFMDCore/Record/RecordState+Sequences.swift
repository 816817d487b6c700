extension RecordState {
    /// The text of text field `name`, if it has been edited character by character.
    public func textField(_ name: String) -> SequenceState? {
        fields[FieldKey(name, .text)]?.text
    }

    /// The list field `name`, if items have been added to it.
    public func listField(_ name: String) -> ListState? {
        fields[FieldKey(name, .list)]?.list
    }

    /// Checks every sequence edit of `change` against the current state and
    /// the elements the change itself introduces, before anything is applied:
    /// a change is applied whole or not at all.
    func validateSequenceEdits(of change: Change) throws(ChangeError) {
        var validator = SequenceValidator(record: self, author: change.site)
        for operation in change.operations {
            switch operation {
            case .text(let field, let item, let edits):
                if let item {
                    try validator.requireItem(item, of: field)
                    for edit in edits { try validator.check(edit, target: .itemText(field, item)) }
                } else {
                    for edit in edits { try validator.check(edit, target: .text(field)) }
                }
            case .list(let field, let edits):
                for edit in edits { try validator.check(edit, target: .items(field)) }
            default:
                continue
            }
        }
    }

    /// Applies text edits already validated.
    mutating func applyValidated(_ edits: [SequenceEdit], to field: String, item: CharID?, by author: SiteID) {
        do {
            if let item {
                let key = FieldKey(field, .list)
                var list = fields.removeValue(forKey: key)?.list ?? ListState()
                defer { fields[key] = .list(list) }
                for edit in edits { try list.apply(edit, toItem: item, by: author, checked: false) }
            } else {
                let key = FieldKey(field, .text)
                var text = fields.removeValue(forKey: key)?.text ?? SequenceState()
                defer { fields[key] = .text(text) }
                for edit in edits { try text.apply(edit, by: author, checked: false) }
            }
        } catch {
            preconditionFailure("validated edits apply: \(error)")
        }
    }

    /// Applies list item edits already validated.
    mutating func applyValidatedItems(_ edits: [SequenceEdit], to field: String, by author: SiteID) {
        let key = FieldKey(field, .list)
        var list = fields.removeValue(forKey: key)?.list ?? ListState()
        defer { fields[key] = .list(list) }
        do {
            for edit in edits { try list.apply(edit, by: author, checked: false) }
        } catch {
            preconditionFailure("validated edits apply: \(error)")
        }
    }
}

/// Checks sequence edits against a record and against what earlier edits of
/// the same change introduce, without modifying anything.
struct SequenceValidator {
    enum Target: Hashable {
        case text(String)
        case items(String)
        case itemText(String, CharID)
    }

    let record: RecordState
    let author: SiteID
    /// Elements introduced by the change so far, by target: (site, first counter, end).
    private var introduced: [Target: [(SiteID, UInt64, UInt64)]] = [:]

    init(record: RecordState, author: SiteID) {
        self.record = record
        self.author = author
    }

    private func sequence(_ target: Target) -> SequenceState? {
        switch target {
        case .text(let field): record.textField(field)
        case .items(let field): record.listField(field)?.items
        case .itemText(let field, let item): record.listField(field)?.texts[item]
        }
    }

    /// The end of the run of elements holding `counter` of `site`, in the state or introduced.
    private func end(of site: SiteID, _ counter: UInt64, in target: Target) -> UInt64? {
        if let end = sequence(target)?.runEnd(containing: CharID(site: site, counter: counter)) { return end }
        return introduced[target]?.first { $0.0 == site && $0.1 <= counter && counter < $0.2 }?.2
    }

    func requireItem(_ item: CharID, of field: String) throws(ChangeError) {
        guard end(of: item.site, item.counter, in: .items(field)) != nil else {
            throw ChangeError(.unknownElement, "a text edit names item \(item) of \(field), which the list does not hold")
        }
    }

    mutating func check(_ edit: SequenceEdit, target: Target) throws(ChangeError) {
        switch edit {
        case .insert(let counter, let left, let right, let content):
            let count = UInt64(content.count)
            guard count > 0, counter <= UInt64.max - count else {
                throw ChangeError(.invalidEdit, "an insertion has no content or overflows its counters")
            }
            if case .items = target, content.contains(where: { $0 != SequenceEdit.itemPlaceholder }) {
                throw ChangeError(.invalidEdit, "list items are inserted as placeholders; their text is edited separately")
            }
            let reused = sequence(target)?.overlaps(site: author, counter: counter, count: count) ?? false
                || (introduced[target] ?? []).contains { $0.0 == author && $0.1 < counter + count && counter < $0.2 }
            guard !reused else {
                throw ChangeError(.duplicateElement, "site \(author.short) reuses element ids \(counter)…: was its replica folder copied to another computer?")
            }
            for origin in [left, right].compactMap({ $0 }) where end(of: origin.site, origin.counter, in: target) == nil {
                throw ChangeError(.unknownElement, "an insertion is anchored to element \(origin), which this field does not hold")
            }
            introduced[target, default: []].append((author, counter, counter + count))
        case .delete(let ranges):
            for range in ranges {
                guard range.count > 0, range.counter <= UInt64.max - range.count else {
                    throw ChangeError(.invalidEdit, "a deletion names no elements")
                }
                var next = range.counter
                while next < range.counter + range.count {
                    guard let end = end(of: range.site, next, in: target) else {
                        throw ChangeError(.unknownElement, "a deletion names elements this field does not hold")
                    }
                    next = end
                }
            }
        }
    }
}
