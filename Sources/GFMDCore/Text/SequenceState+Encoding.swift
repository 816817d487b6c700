extension SequenceState: Hashable {
    /// Appends the canonical encoding (`Protocol/state.md`, "Sequences"):
    /// the sites, the runs in (site, counter) order, and the document as
    /// maximal segments of runs. Replicas holding the same edits write the
    /// same bytes, whatever order the edits arrived in.
    public func encode(into writer: inout ByteWriter) {
        let storage = storage
        let used = storage.sites.indices.filter { !storage.runsBySite[$0].isEmpty }
        let order = used.sorted { storage.sites[$0] < storage.sites[$1] }
        var canonicalSite = [Int](repeating: -1, count: storage.sites.count)
        for (rank, index) in order.enumerated() { canonicalSite[index] = rank }
        writer.write(count: order.count)
        for index in order { writer.write(id: storage.sites[index]) }

        let runs = order.flatMap { storage.runsBySite[$0] }
        writer.write(count: runs.count)
        func write(_ ref: SequenceStorage.Ref?) {
            guard let ref else { return writer.write(varint: 0) }
            writer.write(count: canonicalSite[Int(ref.site)] + 1)
            writer.write(varint: ref.counter)
        }
        for run in runs {
            writer.write(count: canonicalSite[Int(run.site)])
            writer.write(varint: run.counter)
            write(run.left)
            write(run.right)
            writer.write(scalars: run.content)
        }

        // A run's index in `runs`: where its site's runs start, plus its rank among them.
        var siteBase = [Int](repeating: 0, count: storage.sites.count)
        var next = 0
        for index in order {
            siteBase[index] = next
            next += storage.runsBySite[index].count
        }
        func runIndex(_ run: SequenceStorage.Run) -> Int {
            let siteRuns = storage.runsBySite[Int(run.site)]
            var low = 0, high = siteRuns.count
            while low < high {
                let mid = (low + high) / 2
                if siteRuns[mid].counter < run.counter { low = mid + 1 } else { high = mid }
            }
            return siteBase[Int(run.site)] + low
        }
        var segments: [(run: Int, offset: Int, length: Int, deleted: Bool)] = []
        for block in storage.blocks {
            for span in block.spans {
                let run = runIndex(span.run)
                if let last = segments.last, last.run == run, last.offset + last.length == span.offset, last.deleted == span.deleted {
                    segments[segments.count - 1].length += span.length
                } else {
                    segments.append((run, span.offset, span.length, span.deleted))
                }
            }
        }
        writer.write(count: segments.count)
        for segment in segments {
            writer.write(count: segment.run)
            writer.write(count: segment.offset)
            writer.write(count: segment.length)
            writer.write(byte: segment.deleted ? 1 : 0)
        }
    }

    /// The canonical encoding as bytes.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 64 + storage.visibleCount * 2)
        encode(into: &writer)
        return writer.bytes
    }

    /// Reads a sequence written by ``encode(into:)``.
    public static func decode(from reader: inout ByteReader, _ context: String) throws(FormatError) -> SequenceState {
        let storage = SequenceStorage()
        let siteCount = try reader.readCount(context + " sites", minimumElementSize: 16)
        for _ in 0..<siteCount {
            let site = try reader.readID(SiteID.self, context + " site")
            if let last = storage.sites.last, !(last < site) { throw reader.failure(.notCanonical, context + " sites") }
            _ = storage.intern(site)
        }
        func readRef() throws(FormatError) -> SequenceStorage.Ref? {
            let site = try reader.readVarint(context + " origin")
            guard site > 0 else { return nil }
            guard site <= UInt64(siteCount) else { throw reader.failure(.invalidValue, context + " origin site") }
            return .init(site: Int32(site - 1), counter: try reader.readVarint(context + " origin counter"))
        }
        let runCount = try reader.readCount(context + " runs", minimumElementSize: 5)
        var runs: [SequenceStorage.Run] = []
        runs.reserveCapacity(runCount)
        for _ in 0..<runCount {
            let site = try reader.readVarint(context + " run site")
            guard site < UInt64(siteCount) else { throw reader.failure(.invalidValue, context + " run site") }
            let counter = try reader.readVarint(context + " run counter")
            let left = try readRef()
            let right = try readRef()
            let content = Array(try reader.readString(context + " run content").unicodeScalars)
            guard !content.isEmpty, counter <= UInt64.max - UInt64(content.count) else {
                throw reader.failure(.invalidValue, context + " run content")
            }
            let run = SequenceStorage.Run(site: Int32(site), counter: counter, left: left, right: right, content: content)
            if let last = runs.last, (last.site, last.end) > (run.site, run.counter) {
                throw reader.failure(.notCanonical, context + " runs (order)")
            }
            runs.append(run)
            storage.register(run)
        }
        let segmentCount = try reader.readCount(context + " segments", minimumElementSize: 4)
        var block = SequenceStorage.Block(index: 0)
        for _ in 0..<segmentCount {
            let runNumber = try reader.readVarint(context + " segment run")
            guard runNumber < UInt64(runs.count) else { throw reader.failure(.invalidValue, context + " segment run") }
            let run = runs[Int(runNumber)]
            let offset = try reader.readInt(context + " segment offset")
            let length = try reader.readInt(context + " segment length")
            let flag = try reader.readByte(context + " segment deleted")
            let covered = run.spans.last.map { $0.offset + $0.length } ?? 0
            guard flag <= 1, length > 0, offset == covered, length <= run.content.count - offset else {
                throw reader.failure(.invalidValue, context + " segment")
            }
            if block.spans.count == SequenceStorage.maximumSpansPerBlock / 2 {
                storage.blocks.append(block)
                block = SequenceStorage.Block(index: storage.blocks.count)
            }
            let span = SequenceStorage.Span(run: run, offset: offset, length: length, deleted: flag == 1, block: block)
            run.spans.append(span)
            block.spans.append(span)
            block.visible += span.visibleLength
            storage.visibleCount += span.visibleLength
        }
        if !block.spans.isEmpty { storage.blocks.append(block) }
        for run in runs where run.spans.last.map({ $0.offset + $0.length }) != run.content.count {
            throw reader.failure(.invalidValue, context + " segments do not cover every run")
        }
        storage.checkInvariants()
        return SequenceState(storage: storage)
    }

    public static func == (lhs: SequenceState, rhs: SequenceState) -> Bool {
        lhs.storage === rhs.storage || lhs.encoded == rhs.encoded
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(encoded)
    }
}
