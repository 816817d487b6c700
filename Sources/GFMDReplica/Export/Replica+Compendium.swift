public import GFMDCore
import GFMDStore

extension Replica {
    /// The records a compendium publishes (`gfmd export`), by type, owner and
    /// id: with `published`, each record's version as the secretariat last
    /// accepted it (records never accepted are left out); else each record as
    /// merged here. Deleted records and the trust record are left out.
    ///
    /// - Parameters:
    ///   - type: only records of this type.
    ///   - progress: told of the records read.
    public func compendium(type: String? = nil, published: Bool, progress: ProgressHandler? = nil) throws -> [RecordView] {
        let summaries = try list(RecordFilter(type: type, published: published))
        let stride = WorkProgress.stride(for: summaries.count)
        return try summaries.enumerated().compactMap { index, summary -> RecordView? in
            let view = try self.view(summary.id.hex, published: published)
            if let progress, (index + 1) % stride == 0 || index + 1 == summaries.count {
                progress(WorkProgress("reading records", done: index + 1, total: summaries.count))
            }
            return view.state.isDeleted ? nil : view
        }.sorted { ($0.state.header.type, $0.state.header.owner, $0.state.id) < ($1.state.header.type, $1.state.header.owner, $1.state.id) }
    }
}
