/// One edit a user asks for.
public enum Edit: Hashable, Sendable {
    /// Write a single value (or a whole text or list).
    case set(field: String, value: String)
    /// Add an element to a set.
    case add(field: String, value: String)
    /// Remove an element from a set.
    case remove(field: String, value: String)
    /// Write a value that supersedes every conflicting value of a field.
    case resolve(field: String, value: String)
    /// Delete the record (or confirm a contested deletion).
    case delete
    /// Restore a deleted record.
    case restore
    /// Record edits of a text field already made on its merged text (by a
    /// ``SequenceState`` editing session).
    case textEdits(field: String, edits: [SequenceEdit])
    /// Rewrite the items of a list field (each item a text).
    case writeItems(field: String, items: [String])
    /// Move the record along its work-flow (submit, withdraw, review), with a
    /// note when the secretariat returns it.
    case transition(to: WorkflowState, note: String?)
    /// Settle a contested record: the create naming `identity` stands
    /// (the secretariat only). Made alone, on a record of any type.
    case settle(RecordIdentity)
}

/// Turns edits a user asks for into operations, checking them against the
/// schema and the record's current state.
///
/// Every write names what it supersedes from the current state (`pred`,
/// observed additions), which is what lets concurrent edits merge without loss.
public struct RecordEditor<Lookup: RecordLookup> {
    /// Finds records named by record references.
    public let records: Lookup
    /// The site making the edits (it names the characters it inserts).
    public let site: SiteID

    /// Creates an editor for `site` that resolves record references with `records`.
    public init(records: Lookup, site: SiteID) {
        self.records = records
        self.site = site
    }

    /// The operations creating a record of `typeName` owned by `owner`, with
    /// `title` in the type's title field and `edits` applied.
    ///
    /// - Throws: ``InputError`` for an unknown type, field or invalid value.
    public func creation(type typeName: String, owner: ParticipantCode, title: String, edits: [Edit]) throws -> [ChangeOperation] {
        guard let type = Schema.type(named: typeName) else {
            throw InputError(.unknownType, "\"\(typeName)\" is not a record type; the types are \(Schema.types.map(\.name).joined(separator: ", "))")
        }
        var operations: [ChangeOperation] = [.create(type: type.name, owner: owner.rawValue)]
        let all = [Edit.set(field: type.titleField, value: title)] + edits
        operations += try fieldOperations(all, type: type, state: nil)
        return operations
    }

    /// The operations making `edits` on the record whose state is `state`.
    ///
    /// - Throws: ``InputError`` when an edit does not fit the record.
    public func operations(for edits: [Edit], on state: RecordState) throws -> [ChangeOperation] {
        if case .settle(let identity)? = edits.first, edits.count == 1 {
            return [.set(field: Settlement.field, value: Settlement.value(for: identity),
                         pred: state.registerField(Settlement.field)?.currentWrites ?? [])]
        }
        guard let type = state.recordType else {
            throw InputError(.unknownType, "record \(state.id.short) is a \(state.header.type), a type this version of gfmd does not know: update gfmd to edit it")
        }
        var operations: [ChangeOperation] = []
        var fieldEdits: [Edit] = []
        for edit in edits {
            switch edit {
            case .delete:
                guard !state.isDeleted || state.hasDeletionConflict else {
                    throw InputError(.deleted, "record \(state.id.short) is already deleted")
                }
                operations.append(.setDeleted(true, pred: state.header.deletion.currentWrites))
            case .restore:
                guard state.isDeleted || state.header.deletion.isConflicted else {
                    throw InputError(.notDeleted, "record \(state.id.short) is not deleted")
                }
                operations.append(.setDeleted(false, pred: state.header.deletion.currentWrites))
            case .transition(let target, let note):
                let register = state.registerField(Workflow.field)
                operations.append(.set(field: Workflow.field, value: .string(target.rawValue), pred: register?.currentWrites ?? []))
                if let note {
                    let text = try TextInput.normalise(note, field: "the review note", multiline: true)
                    operations.append(.set(field: Workflow.noteField, value: .string(text),
                                           pred: state.registerField(Workflow.noteField)?.currentWrites ?? []))
                }
            case .settle:
                throw InputError(.invalidValue, "a settlement of record \(state.id.short) is made alone, with no other edit")
            default:
                guard !state.isDeleted else {
                    throw InputError(.deleted, "record \(state.id.short) is deleted: restore it first with `gfmd restore \(state.id.short)`")
                }
                fieldEdits.append(edit)
            }
        }
        var content = try fieldOperations(fieldEdits, type: type, state: state)
        // Editing a published record opens a new draft revision; the
        // published version stays readable as it was.
        let transitions = edits.contains { if case .transition = $0 { true } else { false } }
        if !content.isEmpty, !transitions, Governance(state).state == .accepted {
            content.append(.set(field: Workflow.field, value: .string(WorkflowState.draft.rawValue),
                                pred: state.registerField(Workflow.field)?.currentWrites ?? []))
        }
        return content + operations
    }

    private func spec(_ field: String, in type: RecordType) throws -> FieldSpec {
        guard let spec = type.field(named: field) else {
            let names = type.fields.map(\.name).joined(separator: ", ")
            throw InputError(.unknownField, "a \(type.name) has no field \"\(field)\"; its fields are \(names)")
        }
        return spec
    }

    private func fieldOperations(_ edits: [Edit], type: RecordType, state: RecordState?) throws -> [ChangeOperation] {
        var operations: [ChangeOperation] = []
        var written = Set<String>()
        var elements = Set<[UInt8]>()
        for edit in edits {
            switch edit {
            case .set(let field, let input), .resolve(let field, let input):
                let spec = try spec(field, in: type)
                guard type.allows(.register, on: field) else {
                    throw InputError(.wrongKind, "\(field) is \(spec.kind.noun): use `gfmd add` or `gfmd remove`")
                }
                guard written.insert(field).inserted else {
                    throw InputError(.invalidValue, "\(field) is given two values in one command")
                }
                if spec.kind == .text || spec.kind == .list {
                    if case .resolve = edit { throw InputError(.noConflict, "\(field) merges character by character: it has no conflict to resolve") }
                    operations += try sequenceOperations(field, spec: spec, input: input, state: state)
                    continue
                }
                let register = state?.registerField(field)
                if case .resolve = edit, !(register?.isConflicted ?? false) {
                    throw InputError(.noConflict, "\(field) has no conflict to resolve")
                }
                let value = try spec.valueType.value(from: input, field: field, records: records)
                operations.append(.set(field: field, value: value, pred: register?.currentWrites ?? []))
            case .add(let field, let input), .remove(let field, let input):
                let spec = try spec(field, in: type)
                guard type.allows(.set, on: field) else {
                    throw InputError(.wrongKind, "\(field) is \(spec.kind.noun), not a set: use `gfmd set`")
                }
                let value = try spec.valueType.value(from: input, field: field, records: records)
                guard elements.insert(Array(field.utf8) + [0] + value.encoded).inserted else { continue }
                if case .remove = edit {
                    let tags = state?.setField(field)?.tags(of: value) ?? []
                    guard !tags.isEmpty else {
                        throw InputError(.notPresent, "\(field) does not contain \(value.displayText)")
                    }
                    operations.append(.remove(field: field, element: value, observed: tags))
                } else {
                    operations.append(.add(field: field, element: value))
                }
            case .textEdits(let field, let edits):
                let spec = try spec(field, in: type)
                guard spec.kind == .text else {
                    throw InputError(.wrongKind, "\(field) is \(spec.kind.noun), not a text")
                }
                if !edits.isEmpty { operations.append(.text(field: field, item: nil, edits: edits)) }
            case .writeItems(let field, let items):
                let spec = try spec(field, in: type)
                guard spec.kind == .list else {
                    throw InputError(.wrongKind, "\(field) is \(spec.kind.noun), not a list")
                }
                let normalised = try items.enumerated().map { offset, item in
                    try TextInput.normalise(item, field: "\(field) item \(offset + 1)", multiline: true)
                }
                var list = state?.listField(field) ?? ListState()
                operations += SequenceWriter.rewrite(&list, to: normalised, field: field, by: site)
            case .delete, .restore, .transition, .settle:
                preconditionFailure("record-level edits are handled by the caller")
            }
        }
        return operations
    }

    /// The edits rewriting text or list field `field` to what the user gave.
    private func sequenceOperations(_ field: String, spec: FieldSpec, input: String, state: RecordState?) throws -> [ChangeOperation] {
        if spec.kind == .text {
            let newText = try TextInput.normalise(input, field: field, multiline: true)
            var text = state?.textField(field) ?? SequenceState()
            let edits = SequenceWriter.rewrite(&text, to: newText, by: site)
            return edits.isEmpty ? [] : [.text(field: field, item: nil, edits: edits)]
        }
        guard case .list(let items) = try spec.valueType.value(from: input, field: field, records: records) else {
            throw InputError(.invalidValue, "\(field) is a list: write it as a JSON array of strings")
        }
        var list = state?.listField(field) ?? ListState()
        return SequenceWriter.rewrite(&list, to: items, field: field, by: site)
    }
}
