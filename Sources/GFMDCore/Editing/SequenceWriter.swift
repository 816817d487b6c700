/// Turns a whole new text (or list of texts) into the sequence edits that
/// lead from the current merged state to it, so that what a colleague changed
/// elsewhere in the same text at the same time survives the merge.
public enum SequenceWriter {
    /// Edits `text` into `newText` as site `site`, returning the edits to record.
    public static func rewrite(_ text: inout SequenceState, to newText: String, by site: SiteID) -> [SequenceEdit] {
        var recorder = EditRecorder(openFrom: text.nextCounter(for: site))
        for hunk in TextDiff.hunks(from: text.text, to: newText) {
            recorder.replace(in: &text, at: hunk.position, deleting: hunk.deleteCount, inserting: hunk.insert, by: site)
        }
        return recorder.edits
    }

    /// Edits `list` so that its items read `newItems`, as site `site`:
    /// unchanged items stay, changed items are edited in place when they keep
    /// their position among the others, and the rest are added or removed.
    public static func rewrite(_ list: inout ListState, to newItems: [String], field: String, by site: SiteID) -> [ChangeOperation] {
        let oldIDs = list.itemIDs
        let oldTexts = oldIDs.map { list.texts[$0]?.text ?? "" }
        var operations: [ChangeOperation] = []
        var itemEdits = EditRecorder(openFrom: list.items.nextCounter(for: site))
        var textEdits: [(CharID, [SequenceEdit])] = []
        // Walk the differing regions from the end, so earlier positions stay valid.
        for span in TextDiff.spans(oldTexts, newItems, limit: 4000).reversed() {
            let paired = min(span.oldCount, span.newCount)
            for offset in 0..<paired {
                let id = oldIDs[span.oldStart + offset]
                var text = list.texts[id] ?? SequenceState()
                let edits = rewrite(&text, to: newItems[span.newStart + offset], by: site)
                list.texts[id] = text
                if !edits.isEmpty { textEdits.append((id, edits)) }
            }
            if span.oldCount > paired {
                itemEdits.replace(in: &list.items, at: span.oldStart + paired, deleting: span.oldCount - paired, inserting: [], by: site)
            }
            if span.newCount > paired {
                let count = span.newCount - paired
                let first = list.items.nextCounter(for: site)
                itemEdits.replace(in: &list.items, at: span.oldStart + paired, deleting: 0,
                                  inserting: [Unicode.Scalar](repeating: SequenceEdit.itemPlaceholder, count: count), by: site)
                for offset in 0..<count {
                    let id = CharID(site: site, counter: first + UInt64(offset))
                    var text = SequenceState()
                    let edits = rewrite(&text, to: newItems[span.newStart + paired + offset], by: site)
                    list.texts[id] = text
                    if !edits.isEmpty { textEdits.append((id, edits)) }
                }
            }
        }
        if !itemEdits.edits.isEmpty { operations.append(.list(field: field, edits: itemEdits.edits)) }
        for (id, edits) in textEdits { operations.append(.text(field: field, item: id, edits: edits)) }
        return operations
    }
}

/// Records local edits of a sequence, merging consecutive insertions that
/// extend the same run into one edit.
public struct EditRecorder: Sendable {
    /// The edits recorded so far, in order.
    public private(set) var edits: [SequenceEdit] = []
    /// The first counter this batch may use: runs started at or after it may grow.
    public let openFrom: UInt64

    /// A recorder for a batch whose first new element takes counter `openFrom`.
    public init(openFrom: UInt64) {
        self.openFrom = openFrom
    }

    /// Deletes `deleting` elements at `position`, then inserts `inserting` there.
    public mutating func replace(
        in sequence: inout SequenceState, at position: Int, deleting: Int, inserting: [Unicode.Scalar], by site: SiteID
    ) {
        if deleting > 0 { delete(in: &sequence, at: position, count: deleting) }
        if !inserting.isEmpty { insert(inserting, in: &sequence, at: position, by: site) }
    }

    /// Inserts `content` at `position`.
    public mutating func insert(_ content: [Unicode.Scalar], in sequence: inout SequenceState, at position: Int, by site: SiteID) {
        switch sequence.insert(content, at: position, by: site, openFrom: openFrom) {
        case .inserted(let edit):
            edits.append(edit)
        case .extended:
            // The run grew; so does the edit that created it in this batch.
            for index in edits.indices.reversed() {
                if case .insert(let counter, let left, let right, var existing) = edits[index] {
                    // Released from the array first, so the content grows in place.
                    edits[index] = .delete([])
                    existing.append(contentsOf: content)
                    edits[index] = .insert(counter: counter, left: left, right: right, content: existing)
                    return
                }
            }
            preconditionFailure("an extended run was inserted in this batch")
        }
    }

    /// Deletes `count` elements at `position`.
    public mutating func delete(in sequence: inout SequenceState, at position: Int, count: Int) {
        let ranges = sequence.delete(at: position, count: count)
        guard !ranges.isEmpty else { return }
        if case .delete(var previous) = edits.last {
            // Released from the array first, so the ranges grow in place.
            edits[edits.count - 1] = .delete([])
            for range in ranges { CharRange.append(range, to: &previous) }
            edits[edits.count - 1] = .delete(previous)
        } else {
            edits.append(.delete(ranges))
        }
    }
}
