public import GFMDCore
import Foundation
import GFMDStore

/// One change as `gfmd log` shows it.
public struct LogEntry: Sendable, Encodable {
    /// The change's id.
    public let change: ChangeHash
    /// The record it concerns.
    public let record: RecordID
    /// Who made it.
    public let author: String
    /// The participant the author acts for.
    public let participant: String
    /// The author's site.
    public let site: SiteID
    /// When it was made.
    public let time: HybridTimestamp
    /// The fields it edited.
    public let fields: [String]
    /// Its operations, in words.
    public let operations: [String]
    /// The changes it was made on.
    public let dependencies: [ChangeHash]
    /// The ledger entry of the bundle that brought it; nil when made here.
    public let bundle: Int64?
    /// That bundle's file name, when it came from a file (or "sync with URL").
    public let bundleFile: String?
    /// That bundle's checksum: its name on every replica, unlike the ledger number.
    public let bundleChecksum: Hash256?

    /// Where the change came from, in words: "made here", or the bundle's
    /// file name and the first digits of its checksum.
    public var origin: String {
        guard let bundleChecksum else { return "made here" }
        return "bundle \(bundleFile.map { "\($0), " } ?? "")\(bundleChecksum.short)"
    }
}

/// Which changes `gfmd log` shows.
public struct LogFilter: Sendable {
    /// Only changes of this record (id or prefix).
    public var record: String?
    /// Only changes touching this field.
    public var field: String?
    /// Only changes made at or after this many milliseconds since the epoch.
    public var sinceMilliseconds: UInt64?
    /// Only changes made before this many milliseconds since the epoch.
    public var untilMilliseconds: UInt64?
    /// Only changes by this participant.
    public var participant: String?
    /// Only the last this many changes that match.
    public var limit: Int?

    /// Creates a filter; with no arguments, every change.
    public init(record: String? = nil, field: String? = nil, sinceMilliseconds: UInt64? = nil, untilMilliseconds: UInt64? = nil,
                participant: String? = nil, limit: Int? = nil) {
        self.record = record
        self.field = field
        self.sinceMilliseconds = sinceMilliseconds
        self.untilMilliseconds = untilMilliseconds
        self.participant = participant
        self.limit = limit
    }
}

extension Replica {
    /// The changes matching `filter`, oldest first (in the order this replica applied them).
    ///
    /// - Throws: ``InputError`` for a record that does not exist, or a field
    ///   no change could touch (not a field of the record's type, or of any type).
    public func log(_ filter: LogFilter = LogFilter()) throws -> [LogEntry] {
        try read { reader in
            let record = try filter.record.map { try StoreRecordLookup(reader: reader).id(matching: $0) }
            if let field = filter.field {
                let type = try record.flatMap { try reader.record($0)?.recordType }
                try Self.checkLogged(field, of: type)
            }
            let ledger = Dictionary(uniqueKeysWithValues: try reader.bundles().compactMap { receipt in receipt.id.map { ($0, receipt) } })
            let participant = filter.participant?.uppercased()
            // Deleted text is shown from the record's merged state, which keeps it.
            var states: [RecordID: RecordState] = [:]
            func content(_ stored: StoredChange, _ field: String, _ item: CharID?, _ range: CharRange) throws -> [Unicode.Scalar] {
                let record = stored.change.record
                if states[record] == nil { states[record] = try reader.record(record) }
                guard let state = states[record] else { return [] }
                // Where two copies of a site took the same ids, the change's causal past says which it meant.
                return try state.content(of: range, in: field, item: item) { try reader.ancestry(of: [stored.hash]) }
            }
            return try reader.changes(of: record).compactMap { stored -> LogEntry? in
                let change = stored.change
                if let field = filter.field, !change.fieldsTouched.contains(field) { return nil }
                if let since = filter.sinceMilliseconds, change.timestamp.milliseconds < since { return nil }
                if let until = filter.untilMilliseconds, change.timestamp.milliseconds >= until { return nil }
                if let participant, change.participant != participant { return nil }
                let operations = try change.operations.flatMap { operation in
                    try operation.summary { field, item, range in try content(stored, field, item, range) }
                }
                return LogEntry(
                    change: stored.hash, record: change.record, author: change.author, participant: change.participant,
                    site: change.site, time: change.timestamp, fields: change.fieldsTouched,
                    operations: operations, dependencies: change.dependencies,
                    bundle: stored.bundleID, bundleFile: stored.bundleID.flatMap { ledger[$0]?.fileName },
                    bundleChecksum: stored.bundleID.flatMap { ledger[$0]?.checksum })
            }.suffix(filter.limit ?? .max)
        }
    }

    /// Refuses a field no change could touch: not one of `type`'s (or, without
    /// a type, of any type's), nor a work-flow or trust-record field.
    static func checkLogged(_ field: String, of type: RecordType?) throws(InputError) {
        let types = type.map { [$0] } ?? Schema.types
        guard !field.hasPrefix(Workflow.reservedPrefix), !types.contains(where: { $0.field(named: field) != nil }) else { return }
        let known = type.map { "the fields of a \($0.name) are \($0.fields.map(\.name).joined(separator: ", "))" }
            ?? "`gfmd help TYPE` lists a type's fields"
        throw InputError(.unknownField, "no change can touch a field \(TextInput.quoted(field)): \(known)")
    }
}

extension ChangeOperation {
    /// The operation in a few words per line, for the log; `deleted` gives the
    /// content of deleted elements (field, list item, range).
    func summary(deleted: (String, CharID?, CharRange) throws -> [Unicode.Scalar]) rethrows -> [String] {
        func short(_ text: String) -> String {
            let line = text.replacingOccurrences(of: "\n", with: "⏎")
            return line.count > 60 ? "\"\(line.prefix(59))…\"" : "\"\(line)\""
        }
        func short(_ value: Value) -> String { short(value.displayText) }
        func text(_ scalars: [Unicode.Scalar]) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            return String(view)
        }
        switch self {
        case .create(let type, let owner): return ["create \(type) owned by \(owner)"]
        case .set(Workflow.field, let value, _):
            return ["move to \(value.stringValue.flatMap(WorkflowState.init(rawValue:))?.displayName ?? short(value))"]
        case .set(Workflow.noteField, let value, _):
            return ["review note: \(short(value))"]
        case .set(let field, let value, let pred):
            return ["set \(field) = \(short(value))" + (pred.count > 1 ? " (resolving \(pred.count) values)" : "")]
        case .add(let field, let element): return ["add \(short(element)) to \(field)"]
        case .remove(let field, let element, _): return ["remove \(short(element)) from \(field)"]
        case .setDeleted(true, _): return ["delete the record"]
        case .setDeleted(false, _): return ["restore the record"]
        case .text(let field, let item, let edits):
            let place = item.map { "\(field) item \($0.site.short):\($0.counter)" } ?? field
            return try edits.map { edit in
                switch edit {
                case .insert(_, _, _, let content):
                    return "\(place): insert \(short(text(content))) (\(content.count) character\(content.count == 1 ? "" : "s"))"
                case .delete(let ranges):
                    let removed = try ranges.flatMap { try deleted(field, item, $0) }
                    return "\(place): delete \(short(text(removed))) (\(removed.count) character\(removed.count == 1 ? "" : "s"))"
                }
            }
        case .list(let field, let edits):
            return edits.map { edit in
                switch edit {
                case .insert(_, _, _, let content): "\(field): add \(content.count) item\(content.count == 1 ? "" : "s")"
                case .delete(let ranges): "\(field): remove \(ranges.reduce(0) { $0 + $1.count }) item(s)"
                }
            }
        case .certify(let certificate):
            return ["certify site \(certificate.site.short) as \(certificate.role) for \(certificate.participant) (serial \(certificate.serial), valid until \(certificate.notAfter.iso8601.prefix(10)))"]
        case .revoke(let revocation):
            return ["revoke certificate \(revocation.serial) of site \(revocation.site.short)" + (revocation.reason.isEmpty ? "" : ": \(revocation.reason)")]
        case .unknown(let kind, let payload): return ["operation of unknown kind \(kind) (\(payload.count) bytes)"]
        }
    }
}
