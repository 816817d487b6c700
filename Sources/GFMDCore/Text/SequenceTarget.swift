/// One sequence of a record: a text field, the items of a list field, or
/// the text of one item of a list field.
public enum SequenceTarget: Hashable, Sendable {
    /// The text of field `name`.
    case text(String)
    /// The items of list field `name`.
    case items(String)
    /// The text of item `item` of list field `name`.
    case itemText(String, CharID)
}

extension Change {
    /// The elements the change's sequence edits insert, by sequence.
    public var insertedElements: [(SequenceTarget, CharRange)] {
        sequenceEdits.flatMap { target, edits in
            edits.compactMap { edit -> (SequenceTarget, CharRange)? in
                guard case .insert(let counter, _, _, let content) = edit else { return nil }
                return (target, CharRange(site: site, counter: counter, count: UInt64(content.count)))
            }
        }
    }

    /// The existing elements the change's sequence edits name, by sequence:
    /// the origins of its insertions, what it deletes, and the list items
    /// whose text it edits (elements it inserts itself included).
    public var namedElements: [(SequenceTarget, CharRange)] {
        var named: [(SequenceTarget, CharRange)] = []
        for (target, edits) in sequenceEdits {
            if case .itemText(let field, let item) = target {
                named.append((.items(field), CharRange(site: item.site, counter: item.counter, count: 1)))
            }
            for edit in edits {
                switch edit {
                case .insert(_, let left, let right, _):
                    for origin in [left, right].compactMap({ $0 }) {
                        named.append((target, CharRange(site: origin.site, counter: origin.counter, count: 1)))
                    }
                case .delete(let ranges):
                    named += ranges.map { (target, $0) }
                }
            }
        }
        return named
    }

    /// Each sequence operation's target and edits, in order.
    private var sequenceEdits: [(SequenceTarget, [SequenceEdit])] {
        operations.compactMap { operation in
            switch operation {
            case .text(let field, let item, let edits): (item.map { .itemText(field, $0) } ?? .text(field), edits)
            case .list(let field, let edits): (.items(field), edits)
            default: nil
            }
        }
    }
}

extension CharRange {
    /// Whether the two ranges share an element.
    public func overlaps(_ other: CharRange) -> Bool {
        site == other.site && counter < other.counter &+ other.count && other.counter < counter &+ count
    }
}

extension SequenceTarget: CustomStringConvertible {
    public var description: String {
        switch self {
        case .text(let field): "text \(field)"
        case .items(let field): "the items of \(field)"
        case .itemText(let field, _): "an item's text of \(field)"
        }
    }
}
