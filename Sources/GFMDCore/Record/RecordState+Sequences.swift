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
    func validateSequenceEdits(_ operations: [ChangeOperation], by author: SiteID) throws(ChangeError) {
        var validator = SequenceValidator(record: self, author: author)
        for operation in operations {
            switch operation {
            case .text(let field, let item, let edits):
                if let item {
                    try validator.requireItem(item, of: field)
                    try validator.check(edits, target: .itemText(field, item))
                } else {
                    try validator.check(edits, target: .text(field))
                }
            case .list(let field, let edits):
                try validator.check(edits, target: .items(field))
            default:
                continue
            }
        }
    }

    /// Applies text edits already validated.
    mutating func applyValidated(_ edits: [SequenceEdit], to field: String, item: CharID?, by author: SiteID, label: SiteID?) {
        do {
            if let item {
                try modifyList(field) { list in
                    for edit in edits { try list.apply(edit, toItem: item, by: author, label: label, checked: false) }
                }
            } else {
                try modifyText(field) { text in
                    for edit in edits { try text.apply(edit, by: author, label: label, checked: false) }
                }
            }
        } catch {
            preconditionFailure("validated edits apply: \(error)")
        }
    }

    /// Applies list item edits already validated.
    mutating func applyValidatedItems(_ edits: [SequenceEdit], to field: String, by author: SiteID, label: SiteID?) {
        do {
            try modifyList(field) { list in
                for edit in edits { try list.apply(edit, by: author, label: label, checked: false) }
            }
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
    /// A run of elements introduced by the change: its site, first counter and end.
    private typealias Introduced = (site: SiteID, counter: UInt64, end: UInt64)
    /// Elements introduced by the change so far, by target.
    private var introduced: [Target: [Introduced]] = [:]

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

    /// The end of the run of elements holding `counter` of `site`, in `sequence` or `introduced`.
    private static func end(of site: SiteID, _ counter: UInt64, in sequence: SequenceState?, _ introduced: [Introduced]) -> UInt64? {
        if let end = sequence?.runEnd(containing: CharID(site: site, counter: counter)) { return end }
        return introduced.first { $0.site == site && $0.counter <= counter && counter < $0.end }?.end
    }

    func requireItem(_ item: CharID, of field: String) throws(ChangeError) {
        let target = Target.items(field)
        guard Self.end(of: item.site, item.counter, in: sequence(target), introduced[target] ?? []) != nil else {
            throw ChangeError(.unknownElement, "a text edit names item \(item) of \(field), which the list does not hold")
        }
    }

    /// Checks the edits of one operation, in order, on `target`.
    mutating func check(_ edits: [SequenceEdit], target: Target) throws(ChangeError) {
        // Looked up once per operation: the edits of one operation share their target.
        let sequence = sequence(target)
        var introduced = self.introduced.removeValue(forKey: target) ?? []
        defer { self.introduced[target] = introduced }
        for edit in edits { try check(edit, target: target, sequence: sequence, introduced: &introduced) }
    }

    private func check(_ edit: SequenceEdit, target: Target, sequence: SequenceState?, introduced: inout [Introduced]) throws(ChangeError) {
        switch edit {
        case .insert(let counter, let left, let right, let content):
            let count = UInt64(content.count)
            guard count > 0, counter <= UInt64.max - count else {
                throw ChangeError(.invalidEdit, "an insertion has no content or overflows its counters")
            }
            if case .items = target, content.contains(where: { $0 != SequenceEdit.itemPlaceholder }) {
                throw ChangeError(.invalidEdit, "list items are inserted as placeholders; their text is edited separately")
            }
            let reused = sequence?.overlaps(site: author, counter: counter, count: count) ?? false
                || introduced.contains { $0.site == author && $0.counter < counter + count && counter < $0.end }
            guard !reused else {
                throw ChangeError(.duplicateElement, "site \(author.short) reuses element ids \(counter)…: was its replica folder copied to another computer?")
            }
            for origin in [left, right] {
                guard let origin, Self.end(of: origin.site, origin.counter, in: sequence, introduced) == nil else { continue }
                throw ChangeError(.unknownElement, "an insertion is anchored to element \(origin), which this field does not hold")
            }
            introduced.append((author, counter, counter + count))
        case .delete(let ranges):
            for range in ranges {
                guard range.count > 0, range.counter <= UInt64.max - range.count else {
                    throw ChangeError(.invalidEdit, "a deletion names no elements")
                }
                var next = range.counter
                while next < range.counter + range.count {
                    guard let end = Self.end(of: range.site, next, in: sequence, introduced) else {
                        throw ChangeError(.unknownElement, "a deletion names elements this field does not hold")
                    }
                    next = end
                }
            }
        }
    }
}
