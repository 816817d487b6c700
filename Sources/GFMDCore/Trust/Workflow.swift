/// The work-flow of a submission (DESIGN.md §3): `draft → submitted →
/// under_review → accepted`, with `returned` and `withdrawn`.
///
/// The state is a multi-value register in the reserved field `_workflow`, so
/// two concurrent transitions are both kept and shown as a conflict.
public enum WorkflowState: String, CaseIterable, Hashable, Sendable, Codable {
    case draft, submitted
    case underReview = "under_review"
    case accepted, returned, withdrawn

    /// The state as people read it: "under review".
    public var displayName: String {
        self == .underReview ? "under review" : rawValue
    }
}

/// Work-flow fields and transitions.
public enum Workflow {
    /// The prefix of fields only gfmd writes (work-flow state and notes):
    /// users neither set nor see them as fields.
    public static let reservedPrefix = "_"
    /// The reserved field holding the work-flow state.
    public static let field = "_workflow"
    /// The reserved field holding the secretariat's note when it returns a submission.
    public static let noteField = "_review_note"

    /// Who makes a transition.
    public enum Actor: Hashable, Sendable {
        /// The owner or a co-author (delegates).
        case contributor
        /// A secretariat site.
        case secretariat
    }

    /// The transitions, as (from, to, who).
    static let transitions: [(WorkflowState, WorkflowState, Actor)] = [
        (.draft, .submitted, .contributor), (.returned, .submitted, .contributor), (.withdrawn, .submitted, .contributor),
        (.submitted, .withdrawn, .contributor),
        (.submitted, .underReview, .secretariat),
        (.underReview, .accepted, .secretariat), (.underReview, .returned, .secretariat),
        // Editing a published record opens a new draft revision.
        (.accepted, .draft, .contributor), (.accepted, .draft, .secretariat),
    ]

    /// Whether `actor` may move a record from `from` to `to`.
    public static func allows(from: WorkflowState, to: WorkflowState, by actor: Actor) -> Bool {
        transitions.contains { $0.0 == from && $0.1 == to && $0.2 == actor }
    }

    /// The states in which contributors may edit a record's content.
    public static let editableByContributors: Set<WorkflowState> = [.draft, .returned, .withdrawn]
}

/// The parts of a record that decide who may change it, as of some version:
/// its co-authors and its work-flow state.
public struct Governance: Hashable, Sendable {
    /// Co-author participant codes.
    public var coAuthors: ObservedRemoveSet<Value>
    /// The work-flow register.
    public var workflow: MultiValueRegister<Value>

    /// No co-authors, a draft.
    public init() {
        coAuthors = ObservedRemoveSet()
        workflow = MultiValueRegister()
    }

    /// The governance fields of a merged record.
    public init(_ state: RecordState) {
        coAuthors = state.setField("co_authors") ?? ObservedRemoveSet()
        workflow = state.registerField(Workflow.field) ?? MultiValueRegister()
    }

    /// Applies the governance operations of `change` (in any order: both parts merge without regard to order).
    public mutating func apply(_ encoded: EncodedChange) {
        for operation in encoded.change.operations {
            switch operation {
            case .add("co_authors", let element): coAuthors.add(element, tag: encoded.hash)
            case .remove("co_authors", let element, let observed): coAuthors.remove(element, observed: observed)
            case .set(Workflow.field, let value, let pred):
                workflow.write(value, by: encoded.hash, at: encoded.change.timestamp, superseding: pred)
            default: continue
            }
        }
    }

    /// The states the record is in (several when transitions were concurrent); a draft when none was written.
    public var states: [WorkflowState] {
        let values = workflow.entries.compactMap { $0.value.stringValue.flatMap(WorkflowState.init(rawValue:)) }
        return values.isEmpty ? [.draft] : values
    }

    /// The displayed state.
    public var state: WorkflowState {
        workflow.winner?.value.stringValue.flatMap(WorkflowState.init(rawValue:)) ?? .draft
    }

    /// Whether `participant` co-authors the record.
    public func isCoAuthor(_ participant: String) -> Bool {
        coAuthors.contains(.string(participant))
    }
}
