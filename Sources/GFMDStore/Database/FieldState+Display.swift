import GFMDCore

// The JSON of record columns is appended into one buffer rather than
// assembled from intermediate strings.

extension RecordState {
    /// The displayed value of every field as one JSON object, for the
    /// `record.fields` of an audit database (the `audit_field` view).
    var displayJSON: String {
        // Sorted by name first, so fields of one name and two kinds are neighbours.
        let keys = fields.keys.sorted()
        var json = "{"
        for (index, key) in keys.enumerated() {
            let shared = (index > 0 && keys[index - 1].name == key.name)
                || (index + 1 < keys.count && keys[index + 1].name == key.name)
            if index > 0 { json += "," }
            JSON.appendQuoted(shared && key.kind == .set ? key.name + " (set)" : key.name, to: &json)
            json += ":"
            fields[key]!.appendDisplayJSON(to: &json)
        }
        return json + "}"
    }

    /// The participants of the `co_authors` set as a JSON array, for
    /// `record.co_authors`: who may read the record besides its owner.
    var coAuthorsJSON: String {
        var json = ""
        JSON.appendArray(coAuthors, to: &json) { JSON.appendQuoted($0, to: &$1) }
        return json
    }

    /// The names of conflicted fields (and "deletion") as a JSON array, for `record.conflicts`.
    var conflictsJSON: String {
        var json = ""
        JSON.appendArray(conflictedFields.map(\.name) + (hasDeletionConflict ? ["deletion"] : []), to: &json) {
            JSON.appendQuoted($0, to: &$1)
        }
        return json
    }
}

extension FieldState {
    /// Appends the field's displayed value as JSON, stored in `field.value`
    /// for SQL readers: the winning value of a register, the elements of a set.
    func appendDisplayJSON(to json: inout String) {
        switch self {
        case .register(let register):
            if let winner = register.winner { winner.value.appendJSON(to: &json) } else { json += "null" }
        case .set(let set):
            JSON.appendArray(set.elements, to: &json) { $0.appendJSON(to: &$1) }
        case .text(let text):
            JSON.appendQuoted(Self.preview(text), to: &json)
        case .list(let list):
            JSON.appendArray(list.itemIDs, to: &json) { JSON.appendQuoted(Self.preview(list.texts[$0] ?? SequenceState()), to: &$1) }
        }
    }

    /// At most 200 characters of a long text: the audit view shows the start,
    /// `gfmd show` the whole.
    static func preview(_ text: SequenceState) -> String {
        text.count <= 200 ? text.text : text.prefix(199) + "…"
    }
}

extension Value {
    /// Appends the value as JSON: a string, an array of strings, or null for unknown kinds.
    func appendJSON(to json: inout String) {
        switch self {
        case .string(let s): JSON.appendQuoted(s, to: &json)
        case .list(let items): JSON.appendArray(items, to: &json) { JSON.appendQuoted($0, to: &$1) }
        case .unknown: json += "null"
        }
    }
}

/// Writing JSON text for the display columns.
enum JSON {
    /// Appends `elements` as a JSON array, each written by `append`.
    static func appendArray<C: Collection>(_ elements: C, to json: inout String, _ append: (C.Element, inout String) throws -> Void) rethrows {
        json += "["
        for (index, element) in elements.enumerated() {
            if index > 0 { json += "," }
            try append(element, &json)
        }
        json += "]"
    }

    /// Appends `s` as a JSON string literal.
    static func appendQuoted(_ s: String, to json: inout String) {
        var s = s
        let plain = s.withUTF8 { bytes in
            !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        json += "\""
        guard !plain else {
            json += s
            json += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: json.unicodeScalars.append(scalar)
            }
        }
        json += "\""
    }
}
