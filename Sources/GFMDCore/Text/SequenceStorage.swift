/// The mutable machinery behind ``SequenceState``: runs of inserted elements,
/// laid out in document order in blocks of spans, with indexes from element
/// ids to spans and from visible positions to spans.
///
/// - A *run* is what one insert edit created: consecutive counters of one
///   site, with the origins of its first element. Its content never moves.
/// - A *span* is a stretch of one run that lies contiguously in the document,
///   all visible or all deleted. Runs split into spans as other elements are
///   inserted inside them or parts of them are deleted.
/// - *Blocks* hold up to ``maximumSpansPerBlock`` spans each and know how many
///   visible elements they hold, so a position is found by walking blocks, not
///   elements; a cursor remembers the last block visited.
///
/// References between these objects are `unowned(unsafe)`: the storage owns
/// every run (through `runsBySite`) and every block, runs own their spans.
/// Their mutable properties skip Swift's run-time exclusivity checks
/// (`@exclusivity(unchecked)`), a fifth of a text replay otherwise: a storage
/// is only ever used by one thread, through the value type that owns it, and
/// no method holds two accesses to one property at once.
final class SequenceStorage {
    /// An element id with the site interned.
    struct Ref: Hashable {
        var site: Int32
        var counter: UInt64
    }

    final class Run {
        /// The label its elements go by: the site that inserted them, or,
        /// once two concurrent changes of that site took the same ids, the
        /// inserting change's element label (``SiteID/elementLabel(of:)``).
        @exclusivity(unchecked) var site: Int32
        /// The site that inserted it, whatever its label: the merge orders
        /// concurrent insertions by it, so a label never moves an element.
        @exclusivity(unchecked) var nominal: Int32
        let counter: UInt64
        /// The origins, by label (rewritten when an element they name takes a label).
        @exclusivity(unchecked) var left: Ref?
        @exclusivity(unchecked) var right: Ref?
        @exclusivity(unchecked) var content: [Unicode.Scalar]
        /// The run's spans, by ascending offset.
        @exclusivity(unchecked) var spans: [Span] = []

        init(site: Int32, nominal: Int32? = nil, counter: UInt64, left: Ref?, right: Ref?, content: [Unicode.Scalar]) {
            self.site = site
            self.nominal = nominal ?? site
            self.counter = counter
            self.left = left
            self.right = right
            self.content = content
        }

        var end: UInt64 { counter + UInt64(content.count) }
    }

    final class Span {
        unowned(unsafe) let run: Run
        @exclusivity(unchecked) var offset: Int
        @exclusivity(unchecked) var length: Int
        @exclusivity(unchecked) var deleted: Bool
        @exclusivity(unchecked) unowned(unsafe) var block: Block

        init(run: Run, offset: Int, length: Int, deleted: Bool, block: Block) {
            self.run = run
            self.offset = offset
            self.length = length
            self.deleted = deleted
            self.block = block
        }

        var visibleLength: Int { deleted ? 0 : length }
    }

    final class Block {
        @exclusivity(unchecked) var spans: [Span] = []
        @exclusivity(unchecked) var visible = 0
        @exclusivity(unchecked) var index: Int

        init(index: Int) { self.index = index }

        func indexOf(_ span: Span) -> Int {
            var i = 0
            let count = spans.count
            while i < count {
                if spans[i] === span { return i }
                i += 1
            }
            preconditionFailure("a span is in its block")
        }
    }

    /// A place in the document: an element (block, span, offset), or the end.
    struct Position: Comparable {
        var block: Int
        var span: Int
        var offset: Int

        static let beforeStart = Position(block: -1, span: 0, offset: 0)
        static let end = Position(block: Int.max, span: 0, offset: 0)

        static func < (a: Position, b: Position) -> Bool {
            if a.block != b.block { return a.block < b.block }
            if a.span != b.span { return a.span < b.span }
            return a.offset < b.offset
        }
    }

    static let maximumSpansPerBlock = 128

    var sites: [SiteID] = []
    var siteIndex: [SiteID: Int32] = [:]
    /// The indexes of `sites` that are element labels rather than sites.
    var labels: [Int32] = []
    /// Each site's runs, by ascending counter (``register(_:)`` keeps them so).
    @exclusivity(unchecked) private(set) var runsBySite: [[Run]] = []
    /// The first counter of each run of `runsBySite`, side by side: a run is
    /// found by searching contiguous integers rather than chasing run objects.
    @exclusivity(unchecked) private var runStarts: [[UInt64]] = []
    @exclusivity(unchecked) var blocks: [Block] = []
    @exclusivity(unchecked) var visibleCount = 0
    /// Whether an element outside ASCII, or a carriage return, was ever
    /// inserted (deleted or not). While none was, every position is a
    /// character boundary: only CR LF joins two ASCII scalars.
    private(set) var holdsComplexScalars = false
    @exclusivity(unchecked) private var cursorBlock = 0
    @exclusivity(unchecked) private var cursorVisibleStart = 0

    init() {}

    // MARK: Sites and lookup

    /// The index of `site`, if it has elements here.
    func index(of site: SiteID) -> Int32? {
        // A text has few authors: comparing ids beats hashing one.
        if sites.count <= 8 { return sites.firstIndex(of: site).map(Int32.init) }
        return siteIndex[site]
    }

    func intern(_ site: SiteID) -> Int32 {
        if let index = index(of: site) { return index }
        let index = Int32(sites.count)
        sites.append(site)
        siteIndex[site] = index
        runsBySite.append([])
        runStarts.append([])
        return index
    }

    func ref(_ id: CharID) -> Ref? {
        index(of: id.site).map { Ref(site: $0, counter: id.counter) }
    }

    func id(_ ref: Ref) -> CharID {
        CharID(site: sites[Int(ref.site)], counter: ref.counter)
    }

    /// The run holding `ref`, if any.
    func run(containing ref: Ref) -> Run? {
        let index = runsStarting(after: ref.counter, site: Int(ref.site))
        guard index > 0 else { return nil }
        let run = runsBySite[Int(ref.site)][index - 1]
        return ref.counter < run.end ? run : nil
    }

    /// How many runs of `site` start at or before `counter`.
    private func runsStarting(after counter: UInt64, site: Int) -> Int {
        runStarts[site].withUnsafeBufferPointer { starts in
            var low = 0, high = starts.count
            while low < high {
                let mid = (low + high) / 2
                if starts[mid] <= counter { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }

    /// The span holding the element at `offset` of `run`, and the element's offset in it.
    func span(in run: Run, at offset: Int) -> (Span, Int) {
        let span = run.spans[spanIndex(in: run, at: offset)]
        return (span, offset - span.offset)
    }

    /// The index in `run.spans` of the span holding the element at `offset` of `run`.
    func spanIndex(in run: Run, at offset: Int) -> Int {
        let spans = run.spans
        var low = 0, high = spans.count
        while low < high {
            let mid = (low + high) / 2
            if spans[mid].offset <= offset { low = mid + 1 } else { high = mid }
        }
        return low - 1
    }

    func locate(_ ref: Ref) -> (Span, Int)? {
        guard let run = run(containing: ref) else { return nil }
        return span(in: run, at: Int(ref.counter - run.counter))
    }

    func position(_ span: Span, _ offset: Int) -> Position {
        Position(block: span.block.index, span: span.block.indexOf(span), offset: offset)
    }

    /// The position of the element `ref`; nil when this sequence does not hold it.
    func position(of ref: Ref) -> Position? {
        locate(ref).map { position($0.0, $0.1) }
    }

    /// The id of the next counter `site` may use: one past its last element,
    /// whether the element still goes by `site` or by a label.
    func nextCounter(for site: Int32) -> UInt64 {
        var next = runsBySite[Int(site)].last?.end ?? 0
        for label in labels {
            for run in runsBySite[Int(label)] where run.nominal == site { next = max(next, run.end) }
        }
        return next
    }

    /// The first counter of `site`'s first run starting after `counter`, if any.
    func nextStart(after counter: UInt64, site: Int32) -> UInt64? {
        let index = runsStarting(after: counter, site: Int(site))
        return index < runStarts[Int(site)].count ? runStarts[Int(site)][index] : nil
    }

    /// Records that the runs labelled `label` were inserted by site `nominal`.
    func replaceNominal(of label: Int32, with nominal: Int32) {
        for run in runsBySite[Int(label)] { run.nominal = nominal }
    }

    /// Gives `run` the label `label`, and rewrites every origin naming one of
    /// its elements to name it by the label.
    func relabel(_ run: Run, to label: Int32) {
        let old = Int(run.site)
        let index = runsStarting(after: run.counter, site: old) - 1
        precondition(index >= 0 && runsBySite[old][index] === run, "a run is indexed under its label")
        runsBySite[old].remove(at: index)
        runStarts[old].remove(at: index)
        run.site = label
        register(run)
        if !labels.contains(label) { labels.append(label) }
        func moved(_ ref: Ref?) -> Ref? {
            guard let ref, Int(ref.site) == old, ref.counter >= run.counter, ref.counter < run.end else { return ref }
            return Ref(site: label, counter: ref.counter)
        }
        for runs in runsBySite {
            for other in runs {
                other.left = moved(other.left)
                other.right = moved(other.right)
            }
        }
    }

    // MARK: Layout changes

    func visibleChanged(in block: Block, by delta: Int) {
        block.visible += delta
        visibleCount += delta
        if block.index < cursorBlock { cursorVisibleStart += delta }
    }

    /// Inserts `span` at index `index` of `block`, splitting the block if it grows too large.
    private func insert(_ span: Span, into block: Block, at index: Int, countingVisible: Bool = true) {
        span.block = block
        block.spans.insert(span, at: index)
        if countingVisible { visibleChanged(in: block, by: span.visibleLength) }
        if block.spans.count > Self.maximumSpansPerBlock { split(block) }
    }

    private func split(_ block: Block) {
        let half = block.spans.count / 2
        let newBlock = Block(index: block.index + 1)
        newBlock.spans = Array(block.spans[half...])
        block.spans.removeSubrange(half...)
        var moved = 0
        for span in newBlock.spans {
            span.block = newBlock
            moved += span.visibleLength
        }
        newBlock.visible = moved
        block.visible -= moved
        blocks.insert(newBlock, at: block.index + 1)
        for i in (block.index + 2)..<blocks.count { blocks[i].index = i }
        if block.index < cursorBlock {
            cursorBlock += 1
        } else if block.index == cursorBlock {
            // The cursor block lost its second half; its start is unchanged.
        }
    }

    /// Splits `span` so that a span starts at `offset` (0 < offset < length) and returns it.
    @discardableResult
    func split(_ span: Span, at offset: Int) -> Span {
        precondition(offset > 0 && offset < span.length)
        let tail = Span(run: span.run, offset: span.offset + offset, length: span.length - offset, deleted: span.deleted, block: span.block)
        span.length = offset
        let run = span.run
        run.spans.insert(tail, at: spanIndex(in: run, at: span.offset) + 1)
        let block = span.block
        insert(tail, into: block, at: block.indexOf(span) + 1, countingVisible: false)
        return tail
    }

    /// Marks `span` deleted.
    func delete(_ span: Span) {
        guard !span.deleted else { return }
        span.deleted = true
        visibleChanged(in: span.block, by: -span.length)
    }

    /// Places a new run's first span before `position` (or at the end).
    func place(_ run: Run, before position: Position) {
        if blocks.isEmpty { blocks.append(Block(index: 0)) }
        let span = Span(run: run, offset: 0, length: run.content.count, deleted: false, block: blocks[0])
        run.spans = [span]
        if position == .end {
            let block = blocks[blocks.count - 1]
            insert(span, into: block, at: block.spans.count)
            return
        }
        var successor = blocks[position.block].spans[position.span]
        if position.offset > 0 { successor = split(successor, at: position.offset) }
        let block = successor.block
        insert(span, into: block, at: block.indexOf(successor))
    }

    /// Notes content about to be inserted (``holdsComplexScalars``).
    func note(_ content: [Unicode.Scalar]) {
        if !holdsComplexScalars, content.contains(where: { !$0.isASCII || $0 == "\r" }) {
            holdsComplexScalars = true
        }
    }

    /// Adds `run` to its site's index, keeping it ordered by counter.
    func register(_ run: Run) {
        note(run.content)
        let site = Int(run.site)
        let index = runStarts[site].last.map { $0 < run.counter } ?? true
            ? runStarts[site].count
            : runsStarting(after: run.counter, site: site)
        runsBySite[site].insert(run, at: index)
        runStarts[site].insert(run.counter, at: index)
    }

    /// Whether any counter of `[counter, counter + count)` of `site` is taken.
    func overlaps(site: Int32, counter: UInt64, count: UInt64) -> Bool {
        // Runs of a site never overlap: only the run starting at or before
        // `counter` and the one after it can meet the range.
        let index = runsStarting(after: counter, site: Int(site))
        if index > 0, runsBySite[Int(site)][index - 1].end > counter { return true }
        let starts = runStarts[Int(site)]
        return index < starts.count && starts[index] < counter + count
    }

    // MARK: Walking the document

    /// The element after `position` (which must be an element), or `.end`.
    func next(after position: Position) -> Position {
        let block = blocks[position.block]
        let span = block.spans[position.span]
        if position.offset + 1 < span.length { return Position(block: position.block, span: position.span, offset: position.offset + 1) }
        return firstElement(fromSpan: position.span + 1, inBlock: position.block)
    }

    /// The first element at or after span `span` of block `block`, or `.end`.
    func firstElement(fromSpan span: Int, inBlock block: Int) -> Position {
        if span < blocks[block].spans.count { return Position(block: block, span: span, offset: 0) }
        return block + 1 < blocks.count ? Position(block: block + 1, span: 0, offset: 0) : .end
    }

    /// The first element of the document, or `.end`.
    var start: Position {
        blocks.isEmpty ? .end : Position(block: 0, span: 0, offset: 0)
    }

    func element(at position: Position) -> (Span, Int) {
        (blocks[position.block].spans[position.span], position.offset)
    }

    /// The position of the `index`-th visible element (0-based; `index` < visibleCount).
    ///
    /// It reads only (starting from the cursor the last edit left), so
    /// copies of a ``SequenceState`` sharing this storage may be read from
    /// several threads at once.
    func visiblePosition(_ index: Int) -> Position {
        let start = cursorBlock < blocks.count ? (cursorBlock, cursorVisibleStart) : (0, 0)
        return visiblePosition(index, from: start).position
    }

    /// As ``visiblePosition(_:)``, moving the cursor to the block found: only
    /// for a storage its owner is about to modify (and so holds alone).
    func visiblePositionMovingCursor(_ index: Int) -> Position {
        let start = cursorBlock < blocks.count ? (cursorBlock, cursorVisibleStart) : (0, 0)
        let found = visiblePosition(index, from: start)
        (cursorBlock, cursorVisibleStart) = (found.position.block, found.blockStart)
        return found.position
    }

    private func visiblePosition(_ index: Int, from start: (block: Int, visibleStart: Int)) -> (position: Position, blockStart: Int) {
        precondition(index >= 0 && index < visibleCount)
        var (block, blockStart) = start
        while index < blockStart {
            block -= 1
            blockStart -= blocks[block].visible
        }
        while index >= blockStart + blocks[block].visible {
            blockStart += blocks[block].visible
            block += 1
        }
        var remaining = index - blockStart
        let spans = blocks[block].spans
        var i = 0
        while i < spans.count {
            let span = spans[i]
            if !span.deleted {
                if remaining < span.length { return (Position(block: block, span: i, offset: remaining), blockStart) }
                remaining -= span.length
            }
            i += 1
        }
        preconditionFailure("block visible counts are consistent")
    }

    // MARK: Invariants

    /// Checks the structure in debug builds. The walk is linear, so it runs in
    /// full only on small sequences (those the unit tests build by the hundred).
    func checkInvariants() {
        #if DEBUG
        guard blocks.count <= 4 else { return }
        var visible = 0
        for (i, block) in blocks.enumerated() {
            assert(block.index == i, "block indexes")
            assert(!block.spans.isEmpty, "no empty block")
            var blockVisible = 0
            for span in block.spans {
                assert(span.block === block, "span knows its block")
                assert(span.length > 0, "no empty span")
                blockVisible += span.visibleLength
            }
            assert(blockVisible == block.visible, "block visible count")
            visible += blockVisible
        }
        assert(visible == visibleCount, "visible count")
        assert(runStarts == runsBySite.map { $0.map(\.counter) }, "run starts beside their runs")
        for runs in runsBySite {
            for run in runs {
                var offset = 0
                for span in run.spans {
                    assert(span.offset == offset, "run spans tile the run")
                    offset += span.length
                }
                assert(offset == run.content.count, "run spans cover the run")
            }
        }
        #endif
    }
}

extension SequenceStorage {
    /// A deep copy, for copy-on-write.
    func copy() -> SequenceStorage {
        let copy = SequenceStorage()
        copy.sites = sites
        copy.siteIndex = siteIndex
        copy.labels = labels
        copy.runStarts = runStarts
        var runMap: [ObjectIdentifier: Run] = [:]
        copy.runsBySite = runsBySite.map { runs in
            runs.map { run in
                let new = Run(site: run.site, nominal: run.nominal, counter: run.counter, left: run.left, right: run.right, content: run.content)
                runMap[ObjectIdentifier(run)] = new
                return new
            }
        }
        for block in blocks {
            let newBlock = Block(index: block.index)
            newBlock.visible = block.visible
            newBlock.spans = block.spans.map { span in
                let run = runMap[ObjectIdentifier(span.run)]!
                let new = Span(run: run, offset: span.offset, length: span.length, deleted: span.deleted, block: newBlock)
                run.spans.append(new)
                return new
            }
            copy.blocks.append(newBlock)
        }
        for runs in copy.runsBySite {
            for run in runs where run.spans.count > 1 { run.spans.sort { $0.offset < $1.offset } }
        }
        copy.visibleCount = visibleCount
        copy.holdsComplexScalars = holdsComplexScalars
        return copy
    }
}
