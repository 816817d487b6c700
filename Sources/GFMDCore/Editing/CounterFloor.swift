/// Moves the element counters a site allocates in a change to at least a
/// floor (`Protocol/changes.md`, "Sequence edits": counters need only be
/// unique among a site's insertions into a sequence, in increasing order).
///
/// A replica folder that finds itself copied or restored (at another path,
/// on another computer, in another file) takes a random high floor, so that
/// what it types next cannot take the ids the other copy allocates from the
/// same counters.
public enum CounterFloor {
    /// `operations`, made by `site` on `state`, with every counter `site`
    /// newly allocates in a sequence below `floor` moved up so that the
    /// first is `floor`. Counters of elements the sequence already holds,
    /// and sequences that reached the floor already, are left as they are;
    /// a new list item's text, in a sequence of its own, too.
    public static func raise(_ operations: [ChangeOperation], on state: RecordState, by site: SiteID, to floor: UInt64) -> [ChangeOperation] {
        var newItems: [String: (next: UInt64, offset: UInt64)] = [:]
        return operations.map { operation in
            switch operation {
            case .text(let field, nil, let edits):
                let next = state.textField(field)?.nextCounter(for: site) ?? 0
                return .text(field: field, item: nil, edits: shift(edits, of: site, from: next, to: floor))
            case .list(let field, let edits):
                let next = state.listField(field)?.items.nextCounter(for: site) ?? 0
                newItems[field] = (next, floor > next ? floor - next : 0)
                return .list(field: field, edits: shift(edits, of: site, from: next, to: floor))
            case .text(let field, let item?, let edits):
                let items = newItems[field] ?? ((state.listField(field)?.items.nextCounter(for: site) ?? 0), 0)
                if item.site == site && item.counter >= items.next {
                    return .text(field: field, item: CharID(site: site, counter: item.counter + items.offset), edits: edits)
                }
                let next = state.listField(field)?.texts[item]?.nextCounter(for: site) ?? 0
                return .text(field: field, item: item, edits: shift(edits, of: site, from: next, to: floor))
            default:
                return operation
            }
        }
    }

    /// `edits` with `site`'s counters from `next` on moved up by `floor − next`.
    package static func shift(_ edits: [SequenceEdit], of site: SiteID, from next: UInt64, to floor: UInt64) -> [SequenceEdit] {
        guard floor > next else { return edits }
        let offset = floor - next
        func moved(_ id: CharID?) -> CharID? {
            guard let id, id.site == site, id.counter >= next else { return id }
            return CharID(site: site, counter: id.counter + offset)
        }
        return edits.map { edit in
            switch edit {
            case .insert(let counter, let left, let right, let content):
                return .insert(counter: counter >= next ? counter + offset : counter, left: moved(left), right: moved(right), content: content)
            case .delete(let ranges):
                return .delete(ranges.flatMap { range -> [CharRange] in
                    guard range.site == site, range.counter + range.count > next else { return [range] }
                    let kept = range.counter < next ? [CharRange(site: site, counter: range.counter, count: next - range.counter)] : []
                    let start = max(range.counter, next)
                    return kept + [CharRange(site: site, counter: start + offset, count: range.counter + range.count - start)]
                })
            }
        }
    }
}
