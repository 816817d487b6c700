/// The state of an ordered list (L) field: a sequence of items, each with a
/// text of its own (a background paper's sections, its guiding questions).
///
/// Items merge like the characters of a text (concurrent insertions of items
/// keep both, in a deterministic order); each item's text merges character by
/// character. A deleted item's text is kept, so edits concurrent with the
/// deletion are not lost and a restore could bring them back.
public struct ListState: Hashable, Sendable {
    /// The items, as a sequence of placeholder elements.
    public internal(set) var items: SequenceState
    /// Each item's text, by item id.
    public internal(set) var texts: [CharID: SequenceState]

    /// An empty list.
    public init() {
        items = SequenceState()
        texts = [:]
    }

    /// The visible items' ids, in order.
    public var itemIDs: [CharID] { items.visibleIDs }

    /// The visible items' texts, in order.
    public var itemTexts: [String] {
        itemIDs.map { texts[$0]?.text ?? "" }
    }

    /// Applies an edit of the items.
    public mutating func apply(_ edit: SequenceEdit, by author: SiteID) throws(ChangeError) {
        try apply(edit, by: author, checked: true)
    }

    mutating func apply(_ edit: SequenceEdit, by author: SiteID, label: SiteID? = nil, checked: Bool) throws(ChangeError) {
        if checked, case .insert(_, _, _, let content) = edit, content.contains(where: { $0 != SequenceEdit.itemPlaceholder }) {
            throw ChangeError(.invalidEdit, "list items are inserted as placeholders; their text is edited separately")
        }
        try items.apply(edit, by: author, label: label, checked: checked)
    }

    /// Applies an edit of the text of item `item`.
    public mutating func apply(_ edit: SequenceEdit, toItem item: CharID, by author: SiteID) throws(ChangeError) {
        try apply(edit, toItem: item, by: author, checked: true)
    }

    mutating func apply(
        _ edit: SequenceEdit, toItem item: CharID, by author: SiteID, label: SiteID? = nil, checked: Bool
    ) throws(ChangeError) {
        guard items.contains(item) else {
            throw ChangeError(.unknownElement, "a text edit names list item \(item), which this list does not hold")
        }
        var text = texts.removeValue(forKey: item) ?? SequenceState()
        defer { texts[item] = text }
        try text.apply(edit, by: author, label: label, checked: checked)
    }

    /// Gives the items `site` inserted from `counter` (one run) the label
    /// `label`; their texts are kept under their new ids.
    mutating func relabelItems(runOf site: SiteID, at counter: UInt64, to label: SiteID) {
        guard let end = items.runEnd(containing: CharID(site: site, counter: counter)),
              items.relabel(runOf: site, at: counter, to: label) else { return }
        for id in texts.keys where id.site == site && id.counter >= counter && id.counter < end {
            texts[CharID(site: label, counter: id.counter)] = texts.removeValue(forKey: id)
        }
    }

    /// See ``SequenceState/adopt(nominals:)``.
    mutating func adopt(nominals: [SiteID: SiteID]) {
        items.adopt(nominals: nominals)
        for id in texts.keys { texts[id]!.adopt(nominals: nominals) }
    }

    /// Appends the canonical encoding: the items, then each item's text by ascending id.
    public func encode(into writer: inout ByteWriter) {
        items.encode(into: &writer)
        let sorted = texts.sorted { $0.key < $1.key }
        writer.write(count: sorted.count)
        for (id, text) in sorted {
            writer.write(id: id.site)
            writer.write(varint: id.counter)
            text.encode(into: &writer)
        }
    }

    /// Reads a list written by ``encode(into:)``.
    public static func decode(from reader: inout ByteReader, _ context: String) throws(FormatError) -> ListState {
        var list = ListState()
        list.items = try SequenceState.decode(from: &reader, context + " items")
        let count = try reader.readCount(context + " texts", minimumElementSize: 20)
        var previous: CharID?
        for _ in 0..<count {
            let id = CharID(site: try reader.readID(SiteID.self, context + " item"), counter: try reader.readVarint(context + " item"))
            if let previous, !(previous < id) { throw reader.failure(.notCanonical, context + " item texts") }
            previous = id
            list.texts[id] = try SequenceState.decode(from: &reader, context + " item text")
        }
        return list
    }
}
