public import GFMDCore
import GFMDStore

/// Who wrote what is shown of one field (`gfmd blame`): each value of a
/// single value (several in a conflict), each element of a set, each span
/// of a text written by one change.
public struct FieldBlame: Sendable, Encodable {
    /// The field.
    public let field: String
    /// How it merges: `register`, `set` or `text`.
    public let kind: String
    /// What is shown, piece by piece, with the change that wrote each piece.
    public let pieces: [BlamePiece]
}

/// One piece of a field and the change that wrote it.
public struct BlamePiece: Sendable, Encodable {
    /// The value, element or span of text.
    public let text: String
    /// For a text: the first and last positions of the span (1-based, Unicode scalars).
    public let span: [Int]?
    /// The change that wrote it.
    public let change: ChangeHash
    /// Its author, participant, time and the bundle that brought it.
    public let author: String
    public let participant: String
    public let time: HybridTimestamp
    public let bundleFile: String?
    public let bundleChecksum: Hash256?
    /// "made here", or the bundle's file name and checksum.
    public let origin: String
}

extension Replica {
    /// Who wrote each piece of each field of the record whose id is, or starts
    /// with, `prefix`, as merged here. Lists are not broken down (their items
    /// are texts of their own); work-flow fields are shown by `gfmd log`.
    public func blame(_ prefix: String) throws -> (view: RecordView, fields: [FieldBlame]) {
        let view = try self.view(prefix)
        let entries = Dictionary(uniqueKeysWithValues: try log(LogFilter(record: view.state.id.hex)).map { ($0.change, $0) })
        let changes = try read { try $0.changes(of: view.state.id) }
        func piece(_ text: String, span: [Int]? = nil, by change: ChangeHash) -> BlamePiece? {
            guard let entry = entries[change] else { return nil }
            return BlamePiece(text: text, span: span, change: change, author: entry.author, participant: entry.participant, time: entry.time,
                              bundleFile: entry.bundleFile, bundleChecksum: entry.bundleChecksum, origin: entry.origin)
        }
        let order = view.state.recordType?.fields.map(\.name) ?? []
        let names = view.state.fields.keys.map(\.name).filter { !$0.hasPrefix(Workflow.reservedPrefix) }
        let sorted = order.filter(names.contains) + Set(names).subtracting(order).sorted()
        let blamed = sorted.compactMap { name -> FieldBlame? in
            if let register = view.state.registerField(name), !register.entries.isEmpty {
                let pieces = register.entries.sorted { $0.timestamp > $1.timestamp }.compactMap { piece($0.value.displayText, by: $0.write) }
                return FieldBlame(field: name, kind: "register", pieces: pieces)
            }
            if let set = view.state.setField(name), !set.elements.isEmpty {
                let pieces = set.elements.compactMap { element in
                    set.tags(of: element).compactMap { entries[$0] }.min { $0.time < $1.time }.flatMap { piece(element.displayText, by: $0.change) }
                }
                return FieldBlame(field: name, kind: "set", pieces: pieces)
            }
            if let text = view.state.textField(name) {
                return FieldBlame(field: name, kind: "text", pieces: Self.spans(
                    of: text, field: name, labelled: view.state.header.labels, changes: changes, piece: piece))
            }
            return nil
        }
        return (view, blamed)
    }

    /// The runs of a text's characters that one change inserted.
    private static func spans(
        of text: SequenceState, field: String, labelled: [ChangeHash: SiteID], changes: [StoredChange],
        piece: (String, [Int]?, ChangeHash) -> BlamePiece?
    ) -> [BlamePiece] {
        // Which change inserted each run of a site's counters (or of a
        // change's element label, where two changes took the same ids).
        var runs: [SiteID: [(start: UInt64, end: UInt64, change: ChangeHash)]] = [:]
        for stored in changes {
            let label = labelled[stored.hash] == nil ? stored.change.site : SiteID.elementLabel(of: stored.hash)
            for case .text(field, nil, let edits) in stored.change.operations {
                for case .insert(let counter, _, _, let content) in edits {
                    runs[label, default: []].append((counter, counter + UInt64(content.count), stored.hash))
                }
            }
        }
        func inserter(_ id: CharID) -> ChangeHash? {
            runs[id.site]?.last { $0.start <= id.counter && id.counter < $0.end }?.change
        }
        let ids = text.visibleIDs, scalars = text.scalars
        var pieces: [BlamePiece] = []
        var start = 0
        while start < ids.count {
            let change = inserter(ids[start])
            var end = start + 1
            while end < ids.count, inserter(ids[end]) == change { end += 1 }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[start..<end])
            if let change, let blamed = piece(String(view), [start + 1, end], change) { pieces.append(blamed) }
            start = end
        }
        return pieces
    }
}
