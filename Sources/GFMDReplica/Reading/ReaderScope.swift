public import GFMDCore
import GFMDStore

/// What one participant may see of this replica, record by record, by the
/// rules that decide what its bundles carry (`Protocol/trust.md`,
/// "Visibility"): the hub's web pages show a session nothing else.
public struct ReaderScope: Sendable {
    /// How much of a record the participant sees.
    public enum Access: Sendable, Hashable {
        /// The record as merged, with its whole history.
        case whole
        /// Only its published version (the changes the last acceptance covers).
        case published
    }

    /// The participant reading.
    public var participant: String { visibility.participant }
    /// Whether it reads everything (the secretariat).
    public var readsEverything: Bool { visibility.readsEverything }
    private let visibility: Visibility

    init(_ visibility: Visibility) {
        self.visibility = visibility
    }

    /// How much of `record` the participant sees; nil: nothing (not even that it exists).
    public func access(to record: RecordID) -> Access? {
        if visibility.wholeRecords.contains(record) { return .whole }
        return visibility.published[record] == nil ? nil : .published
    }

    /// Whether the participant sees `change` of `record`: every change of a
    /// record it sees whole, only the published version's of the others.
    public func sees(_ change: ChangeHash, of record: RecordID) -> Bool {
        switch access(to: record) {
        case .whole: true
        case .published: visibility.published[record]?.contains(change) ?? false
        case nil: false
        }
    }
}

extension Replica {
    /// What `participant` may see of this replica.
    public func scope(for participant: String) throws -> ReaderScope {
        ReaderScope(try read { try $0.visibility(for: participant) })
    }
}
