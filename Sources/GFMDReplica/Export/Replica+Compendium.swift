public import GFMDCore
import GFMDStore

extension Replica {
    /// The records a compendium publishes (`gfmd export`), by type, owner and
    /// id: with `published`, each record's version as the secretariat last
    /// accepted it (records never accepted are left out); else each record as
    /// merged here. Deleted records and the trust record are left out.
    ///
    /// - Parameter type: only records of this type.
    public func compendium(type: String? = nil, published: Bool) throws -> [RecordView] {
        let summaries = try list(RecordFilter(type: type, published: published))
        return try summaries.compactMap { summary -> RecordView? in
            let view = try self.view(summary.id.hex, published: published)
            return view.state.isDeleted ? nil : view
        }.sorted { ($0.state.header.type, $0.state.header.owner, $0.state.id) < ($1.state.header.type, $1.state.header.owner, $1.state.id) }
    }
}
