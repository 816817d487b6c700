import GFMDCore
import GFMDTestSupport
import Testing

/// Finds records in a dictionary: the editor's lookup for tests without a database.
struct DictionaryLookup: RecordLookup {
    var records: [RecordID: RecordState] = [:]

    func record(matching prefix: String) throws -> RecordState {
        let matches = records.values.filter { $0.id.hex.hasPrefix(prefix.lowercased()) }
        guard matches.count == 1 else { throw InputError(.unknownRecord, "no single record starts with \(prefix)") }
        return matches[0]
    }
}

@Suite("Editing records")
struct EditorTests {
    let editor = RecordEditor(records: DictionaryLookup(), site: TestSite(seed: 1).id)
    let phl = ParticipantCode("PHL")!

    func practice(_ edits: [Edit] = []) throws -> RecordState {
        var site = TestSite(seed: 1)
        let operations = try editor.creation(type: "practice", owner: phl, title: "Diaspora bonds", edits: edits)
        let change = site.change(testRecordID(1), on: [], operations)
        var state = try RecordState(creatingWith: change)
        try state.apply(change, history: InMemoryHistory())
        return state
    }

    @Test("a new record gets its title, fields and elements")
    func creation() throws {
        let state = try practice([.set(field: "start_date", value: "2025-01-15"), .add(field: "partners", value: "iom")])
        #expect(state.title == "Diaspora bonds")
        #expect(state.registerField("start_date")?.winner?.value == .string("2025-01-15"))
        #expect(state.setField("partners")?.elements == [.string("IOM")])
    }

    @Test("values of the wrong kind are refused with a message naming the field")
    func wrongKind() throws {
        let state = try practice()
        #expect { try editor.operations(for: [.set(field: "partners", value: "IOM")], on: state) } throws: {
            ($0 as? InputError)?.code == .wrongKind && "\($0)".contains("partners")
        }
        #expect { try editor.operations(for: [.add(field: "title", value: "x")], on: state) } throws: {
            ($0 as? InputError)?.code == .wrongKind
        }
    }

    @Test("invalid values are refused", arguments: [
        ("start_date", "15/01/2025"), ("start_date", "2025-02-30"), ("implementation_status", "maybe"),
        ("title", ""), ("title", "two\nlines"), ("contact", "evil\u{202E}txt"),
    ])
    func invalidValues(field: String, value: String) throws {
        let state = try practice()
        #expect(throws: InputError.self) { try editor.operations(for: [.set(field: field, value: value)], on: state) }
    }

    @Test("unknown participant codes are refused")
    func unknownParticipant() throws {
        let state = try practice()
        #expect { try editor.operations(for: [.add(field: "partners", value: "XYZ")], on: state) } throws: {
            ($0 as? InputError)?.code == .unknownParticipant
        }
        #expect { try editor.operations(for: [.add(field: "implementing_countries", value: "IOM")], on: state) } throws: {
            ($0 as? InputError)?.code == .unknownParticipant
        }
    }

    @Test("unknown fields and types are refused, listing what exists")
    func unknownField() throws {
        let state = try practice()
        #expect { try editor.operations(for: [.set(field: "titel", value: "x")], on: state) } throws: {
            ($0 as? InputError)?.code == .unknownField && "\($0)".contains("title")
        }
        #expect { try editor.creation(type: "memo", owner: phl, title: "x", edits: []) } throws: {
            ($0 as? InputError)?.code == .unknownType
        }
    }

    @Test("text is stored in NFC")
    func normalisation() throws {
        let decomposed = "Migration de retour e\u{301}te\u{301}"
        let state = try practice([.set(field: "summary", value: decomposed)])
        let stored = try #require(state.displayedText("summary"))
        #expect(stored.unicodeScalars.count == decomposed.unicodeScalars.count - 2)
        #expect(stored == "Migration de retour été")
    }

    @Test("writes name what they supersede; removals name the additions they saw")
    func predAndObserved() throws {
        let state = try practice([.add(field: "partners", value: "IOM")])
        let operations = try editor.operations(for: [.set(field: "title", value: "New"), .remove(field: "partners", value: "IOM")], on: state)
        guard case .set(_, _, let pred) = operations[0], case .remove(_, _, let observed) = operations[1] else {
            Issue.record("unexpected operations \(operations)")
            return
        }
        #expect(pred == state.registerField("title")!.currentWrites)
        #expect(observed == state.setField("partners")!.tags(of: .string("IOM")))
        #expect { try editor.operations(for: [.remove(field: "partners", value: "ILO")], on: state) } throws: {
            ($0 as? InputError)?.code == .notPresent
        }
    }

    @Test("resolving needs a conflict; deleted records must be restored before editing")
    func resolveAndDeleted() throws {
        var state = try practice()
        #expect { try editor.operations(for: [.resolve(field: "title", value: "x")], on: state) } throws: {
            ($0 as? InputError)?.code == .noConflict
        }
        var site = TestSite(seed: 1)
        let delete = site.change(state.id, on: [state.header.creation], try editor.operations(for: [.delete], on: state))
        try state.apply(delete, history: InMemoryHistory())
        #expect { try editor.operations(for: [.set(field: "title", value: "x")], on: state) } throws: {
            ($0 as? InputError)?.code == .deleted
        }
        #expect { try editor.operations(for: [.delete], on: state) } throws: { ($0 as? InputError)?.code == .deleted }
    }
}
