import GFMDCore
import GRDB

/// What the log's derived columns hold of a change besides its trust
/// frontier: its header, its dependencies and whether it edits fields.
///
/// The apply writes these columns from it and `gfmd verify` keeps it for
/// each change it replays, to compare the log with, so that what is written
/// and what is checked are named in one place.
struct LoggedFields {
    let record: RecordID
    let site: SiteID
    private(set) var participant: String
    private(set) var author: String
    let timestamp: HybridTimestamp
    let dependencies: [ChangeHash]
    let editsFields: Bool

    init(_ change: Change) {
        record = change.record
        site = change.site
        participant = change.participant
        author = change.author
        timestamp = change.timestamp
        dependencies = change.dependencies
        editsFields = change.editsFields
    }

    /// This value with its names taken from `names`, which keeps one copy of each.
    func sharing(_ names: inout Set<String>) -> LoggedFields {
        var shared = self
        shared.participant = names.insert(participant).memberAfterInsert
        shared.author = names.insert(author).memberAfterInsert
        return shared
    }

    /// The log's derived columns, in the order of ``values(frontier:)``.
    static let columns = ["record", "site", "participant", "author", "hlc", "deps", "edits", "trust_frontier"]

    /// The values of ``columns`` for a change of these fields applied with trust frontier `frontier`.
    func values(frontier: [ChangeHash]) -> [DatabaseValue] {
        [
            record.data.databaseValue, site.data.databaseValue, participant.databaseValue, author.databaseValue,
            Int64(bitPattern: timestamp.rawValue).databaseValue, dependencies.concatenatedData.databaseValue,
            editsFields.databaseValue, frontier.concatenatedData.databaseValue,
        ]
    }
}
