/// A sequence that merges character by character (or item by item): the state
/// of a text (T) field, or of the items of a list (L) field.
///
/// The merge is the FugueMax/YjsMod list CRDT: every element keeps the ids of
/// its neighbours when it was inserted (its left and right origins), and an
/// element arriving concurrently with others between the same neighbours is
/// placed by a deterministic rule that never interleaves two runs typed at the
/// same place: one user's "abc" and another's "xyz" end as "abcxyz" or
/// "xyzabc". Deleted elements stay as tombstones, so a concurrent insertion
/// next to them still finds its place, and deleting twice changes nothing.
///
/// Laws (checked by the property tests): applying the same set of edits in any
/// causal order gives the same sequence (and the same ``encoded`` bytes), and a
/// run of consecutive insertions by one author is never split by another
/// author's concurrent run.
///
/// Positions are counted in elements: Unicode scalars for texts. `SequenceState`
/// is a value: copies share storage until one of them is modified.
///
/// It is `Sendable` because its storage is never written while shared:
/// every mutating method first makes the storage unique, and no
/// non-mutating method writes to it (not even the position cursor), so
/// copies may be read from several tasks at once.
public struct SequenceState: @unchecked Sendable {
    var storage: SequenceStorage

    /// An empty sequence.
    public init() {
        storage = SequenceStorage()
    }

    init(storage: SequenceStorage) {
        self.storage = storage
    }

    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// The number of visible elements.
    public var count: Int { storage.visibleCount }

    /// The visible elements' content, in order.
    public var scalars: [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(storage.visibleCount)
        for block in storage.blocks {
            for span in block.spans where !span.deleted {
                result.append(contentsOf: span.run.content[span.offset..<span.offset + span.length])
            }
        }
        return result
    }

    /// The visible text.
    public var text: String {
        var view = String.UnicodeScalarView()
        for block in storage.blocks {
            for span in block.spans where !span.deleted {
                view.append(contentsOf: span.run.content[span.offset..<span.offset + span.length])
            }
        }
        return String(view)
    }

    /// The visible element at visible index `index`.
    public func scalar(at index: Int) -> Unicode.Scalar {
        let (span, offset) = storage.element(at: storage.visiblePosition(index))
        return span.run.content[span.offset + offset]
    }

    /// The first `length` visible elements as text (the start of a long text).
    public func prefix(_ length: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars(from: 0, count: min(length, count)))
        return String(view)
    }

    /// Up to `length` visible elements from visible index `index`.
    public func scalars(from index: Int, count length: Int) -> [Unicode.Scalar] {
        guard index < count, length > 0 else { return [] }
        var result: [Unicode.Scalar] = []
        let start = storage.visiblePosition(index)
        var blockIndex = start.block, i = start.span, offset = start.offset
        while result.count < length, blockIndex < storage.blocks.count {
            let spans = storage.blocks[blockIndex].spans
            while result.count < length, i < spans.count {
                let span = spans[i]
                if !span.deleted {
                    let take = min(span.length - offset, length - result.count)
                    result.append(contentsOf: span.run.content[(span.offset + offset)..<(span.offset + offset + take)])
                }
                offset = 0
                i += 1
            }
            blockIndex += 1
            i = 0
        }
        return result
    }

    /// Whether visible index `index` (0…count) falls between two grapheme
    /// clusters, so that an edit there splits no character.
    public func isCharacterBoundary(_ index: Int) -> Bool {
        guard index > 0, index < count, storage.holdsComplexScalars else { return true }
        // The common case, from one lookup: two ASCII characters side by side.
        var position = storage.visiblePosition(index - 1)
        let (leftSpan, leftOffset) = storage.element(at: position)
        let last = leftSpan.run.content[leftSpan.offset + leftOffset]
        let first: Unicode.Scalar
        if leftOffset + 1 < leftSpan.length {
            first = leftSpan.run.content[leftSpan.offset + leftOffset + 1]
        } else {
            // The next visible span: index < count, so there is one.
            repeat {
                position = storage.firstElement(fromSpan: position.span + 1, inBlock: position.block)
            } while storage.element(at: position).0.deleted
            let span = storage.element(at: position).0
            first = span.run.content[span.offset]
        }
        if last.isASCII, first.isASCII, !(last == "\r" && first == "\n") { return true }
        let before = scalars(from: max(0, index - 16), count: min(index, 16))
        let after = scalars(from: index, count: 16)
        var window = String.UnicodeScalarView()
        window.append(contentsOf: before)
        window.append(contentsOf: after)
        var scalarsSeen = 0
        for character in String(window) {
            if scalarsSeen == before.count { return true }
            if scalarsSeen > before.count { return false }
            scalarsSeen += character.unicodeScalars.count
        }
        return scalarsSeen == before.count
    }

    /// The ids of the visible elements, in order (the items of a list).
    public var visibleIDs: [CharID] {
        var ids: [CharID] = []
        ids.reserveCapacity(storage.visibleCount)
        for block in storage.blocks {
            for span in block.spans where !span.deleted {
                let site = storage.sites[Int(span.run.site)]
                for offset in span.offset..<span.offset + span.length {
                    ids.append(CharID(site: site, counter: span.run.counter + UInt64(offset)))
                }
            }
        }
        return ids
    }

    /// The content of the elements of `range` this sequence holds (deleted or not), in counter order.
    public func content(of range: CharRange) -> [Unicode.Scalar] {
        guard let site = storage.index(of: range.site) else { return [] }
        var result: [Unicode.Scalar] = []
        var counter = range.counter
        let end = range.counter + range.count
        while counter < end, let run = storage.run(containing: .init(site: site, counter: counter)) {
            let take = min(run.end, end) - counter
            let from = Int(counter - run.counter)
            result.append(contentsOf: run.content[from..<from + Int(take)])
            counter += take
        }
        return result
    }

    /// Whether the sequence holds element `id` (visible or deleted).
    public func contains(_ id: CharID) -> Bool {
        runEnd(containing: id) != nil
    }

    /// One past the last counter of the run holding `id`, if the sequence holds it.
    public func runEnd(containing id: CharID) -> UInt64? {
        storage.ref(id).flatMap(storage.run(containing:))?.end
    }

    /// The counter `site`'s next insertion takes: one past the last it used here.
    public func nextCounter(for site: SiteID) -> UInt64 {
        storage.index(of: site).map(storage.nextCounter(for:)) ?? 0
    }

    /// Whether `site` used any counter of `[counter, counter + count)` here.
    public func overlaps(site: SiteID, counter: UInt64, count: UInt64) -> Bool {
        guard let index = storage.index(of: site) else { return false }
        return storage.overlaps(site: index, counter: counter, count: count)
    }

    // MARK: Local editing

    /// What a local insertion recorded.
    public enum LocalInsertion: Hashable, Sendable {
        /// A new run, to be recorded as this edit.
        case inserted(SequenceEdit)
        /// The content was appended to the open run started by the previous
        /// insertion (the caller appends it to that edit too).
        case extended
    }

    /// Inserts `content` so that its first element has visible index `index`,
    /// as site `site`.
    ///
    /// When the new content continues, right where it ends, a run `site` began
    /// at or after counter `openFrom` (the first counter of the batch being
    /// recorded), the run is extended instead of starting a new one.
    public mutating func insert(_ content: [Unicode.Scalar], at index: Int, by site: SiteID, openFrom: UInt64 = .max) -> LocalInsertion {
        precondition(!content.isEmpty && index >= 0 && index <= count, "insertion inside the sequence")
        makeUnique()
        let s = storage.intern(site)
        let leftPosition: SequenceStorage.Position = index == 0 ? .beforeStart : storage.visiblePositionMovingCursor(index - 1)
        let rightPosition = leftPosition == .beforeStart ? storage.start : storage.next(after: leftPosition)
        let rightRef = rightPosition == .end ? nil : ref(at: rightPosition)
        if leftPosition != .beforeStart {
            let (span, offset) = storage.element(at: leftPosition)
            let run = span.run
            if run.site == s, run.counter >= openFrom, run === storage.runsBySite[Int(s)].last,
               offset == span.length - 1, span.offset + span.length == run.content.count,
               !span.deleted, run.right == rightRef {
                storage.note(content)
                run.content.append(contentsOf: content)
                span.length += content.count
                storage.visibleChanged(in: span.block, by: content.count)
                return .extended
            }
        }
        let leftRef = leftPosition == .beforeStart ? nil : ref(at: leftPosition)
        let counter = storage.nextCounter(for: s)
        let run = SequenceStorage.Run(site: s, counter: counter, left: leftRef, right: rightRef, content: content)
        storage.register(run)
        storage.place(run, before: rightPosition)
        storage.checkInvariants()
        return .inserted(.insert(counter: counter, left: leftRef.map(storage.id), right: rightRef.map(storage.id), content: content))
    }

    /// Deletes `length` visible elements from visible index `index` and
    /// returns the ids removed, as ranges of consecutive counters.
    public mutating func delete(at index: Int, count length: Int) -> [CharRange] {
        precondition(index >= 0 && length >= 0 && index + length <= count, "deletion inside the sequence")
        guard length > 0 else { return [] }
        makeUnique()
        var ranges: [CharRange] = []
        var remaining = length
        var (first, offset) = storage.element(at: storage.visiblePositionMovingCursor(index))
        if offset > 0 { first = storage.split(first, at: offset) }
        // Walk by index: only the last step splits a span, so indexes stay valid.
        var block = first.block
        var i = block.indexOf(first)
        while remaining > 0 {
            if i == block.spans.count {
                block = storage.blocks[block.index + 1]
                i = 0
            }
            let span = block.spans[i]
            i += 1
            guard !span.deleted else { continue }
            if span.length > remaining { storage.split(span, at: remaining) }
            storage.delete(span)
            remaining -= span.length
            let site = storage.sites[Int(span.run.site)]
            let counter = span.run.counter + UInt64(span.offset)
            CharRange.append(CharRange(site: site, counter: counter, count: UInt64(span.length)), to: &ranges)
        }
        storage.checkInvariants()
        return ranges
    }

    private func ref(at position: SequenceStorage.Position) -> SequenceStorage.Ref {
        let (span, offset) = storage.element(at: position)
        return .init(site: span.run.site, counter: span.run.counter + UInt64(span.offset + offset))
    }

    // MARK: Applying edits

    /// Applies an edit made by `author` (locally recorded or received).
    ///
    /// - Throws: ``ChangeError`` when the edit names elements this sequence
    ///   does not hold, reuses an id, or is empty; the sequence is then unchanged.
    public mutating func apply(_ edit: SequenceEdit, by author: SiteID) throws(ChangeError) {
        try apply(edit, by: author, checked: true)
    }

    /// Applies `edit`; with `checked` false, the caller has validated it
    /// (``SequenceValidator``) and the checks are not repeated.
    ///
    /// Its insertion's elements go by `label` (the author's element label
    /// when its ids collided with a concurrent change's; nil: the author),
    /// and its references name elements by their labels.
    mutating func apply(_ edit: SequenceEdit, by author: SiteID, label: SiteID? = nil, checked: Bool) throws(ChangeError) {
        switch edit {
        case .insert(let counter, let left, let right, let content):
            let label = label ?? author
            if checked {
                guard !content.isEmpty, counter <= UInt64.max - UInt64(content.count) else {
                    throw ChangeError(.invalidEdit, "an insertion has no content or overflows its counters")
                }
                if let s = storage.index(of: label), storage.overlaps(site: s, counter: counter, count: UInt64(content.count)) {
                    throw ChangeError(.duplicateElement, "site \(author.short) reuses element ids \(counter)…: was its replica folder copied to another computer?")
                }
            }
            let leftPosition = try left.map { id throws(ChangeError) in try position(of: id) } ?? .beforeStart
            var rightPosition = try right.map { id throws(ChangeError) in try position(of: id) } ?? .end
            // Elements never move, so a right origin before the left one is
            // before it on every replica: treat it as no right origin.
            if !(leftPosition < rightPosition) { rightPosition = .end }
            makeUnique()
            let nominal = storage.intern(author)
            let s = storage.intern(label)
            if s != nominal, !storage.labels.contains(s) { storage.labels.append(s) }
            let destination = integrationPoint(author: author, label: label, counter: counter, left: leftPosition, right: rightPosition)
            let run = SequenceStorage.Run(
                site: s, nominal: nominal, counter: counter, left: left.flatMap(storage.ref), right: right.flatMap(storage.ref), content: content)
            storage.register(run)
            storage.place(run, before: destination)
        case .delete(let ranges):
            for range in ranges where checked {
                guard range.count > 0, let site = storage.index(of: range.site),
                      range.counter <= UInt64.max - range.count, covers(site: site, range.counter, range.count) else {
                    throw ChangeError(.unknownElement, "a deletion names elements this field does not hold")
                }
            }
            makeUnique()
            for range in ranges { delete(range) }
        }
        storage.checkInvariants()
    }

    private func position(of id: CharID) throws(ChangeError) -> SequenceStorage.Position {
        guard let ref = storage.ref(id), let position = storage.position(of: ref) else {
            throw ChangeError(.unknownElement, "an insertion is anchored to element \(id), which this field does not hold")
        }
        return position
    }

    /// Whether every counter of `[counter, counter + count)` of `site` exists.
    private func covers(site: Int32, _ counter: UInt64, _ count: UInt64) -> Bool {
        var next = counter
        let end = counter + count
        while next < end {
            guard let run = storage.run(containing: .init(site: site, counter: next)) else { return false }
            next = run.end
        }
        return true
    }

    private func delete(_ range: CharRange) {
        let site = storage.index(of: range.site)!
        var counter = range.counter
        let end = range.counter + range.count
        while counter < end {
            let run = storage.run(containing: .init(site: site, counter: counter))!
            var (span, offset) = storage.span(in: run, at: Int(counter - run.counter))
            if offset > 0 { span = storage.split(span, at: offset) }
            let take = min(UInt64(span.length), end - counter)
            if take < UInt64(span.length) { storage.split(span, at: Int(take)) }
            storage.delete(span)
            counter += take
        }
    }

    /// Where an element inserted by `author` between `left` and `right` goes
    /// (FugueMax/YjsMod integration): before the returned position.
    private func integrationPoint(
        author: SiteID, label: SiteID, counter: UInt64, left: SequenceStorage.Position, right: SequenceStorage.Position
    ) -> SequenceStorage.Position {
        var cursor = left == .beforeStart ? storage.start : storage.next(after: left)
        var destination = cursor
        var scanning = false
        while true {
            if !scanning { destination = cursor }
            if cursor == .end || cursor == right { break }
            let (span, offset) = storage.element(at: cursor)
            let run = span.run
            let elementOffset = span.offset + offset
            let otherLeft: SequenceStorage.Position
            if elementOffset == 0 {
                otherLeft = run.left.flatMap(storage.position(of:)) ?? .beforeStart
            } else {
                let (previous, previousOffset) = storage.span(in: run, at: elementOffset - 1)
                otherLeft = storage.position(previous, previousOffset)
            }
            if otherLeft < left { break }
            if otherLeft == left {
                let otherRight = run.right.flatMap(storage.position(of:)) ?? .end
                if otherRight < right {
                    scanning = true
                } else if otherRight == right {
                    // By (site, counter) as inserted; two elements inserted
                    // alike by concurrent changes, by their labels.
                    let otherSite = storage.sites[Int(run.nominal)], otherCounter = run.counter + UInt64(elementOffset)
                    if (author, counter) < (otherSite, otherCounter)
                        || ((author, counter) == (otherSite, otherCounter) && label < storage.sites[Int(run.site)]) { break }
                    scanning = false
                } else {
                    scanning = false
                }
            }
            // The rest of this span continues the element just seen: its left
            // origin lies after `left`, so it is skipped as a block.
            if right.block == cursor.block && right.span == cursor.span && right.offset > cursor.offset {
                cursor = right
            } else {
                cursor = storage.firstElement(fromSpan: cursor.span + 1, inBlock: cursor.block)
            }
        }
        return destination
    }
}

