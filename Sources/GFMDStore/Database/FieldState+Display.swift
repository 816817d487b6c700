import GFMDCore

extension RecordState {
    /// The displayed value of every field as one JSON object, stored in
    /// `record.fields` for SQL readers (the `audit_field` view).
    var displayJSON: String {
        // Sorted by name first, so fields of one name and two kinds are neighbours.
        let sorted = fields.sorted { $0.key < $1.key }
        var json = "{"
        for (index, (key, field)) in sorted.enumerated() {
            let shared = (index > 0 && sorted[index - 1].key.name == key.name)
                || (index + 1 < sorted.count && sorted[index + 1].key.name == key.name)
            let name = shared && key.kind == .set ? key.name + " (set)" : key.name
            if index > 0 { json += "," }
            json += Value.quote(name) + ":" + field.displayJSON
        }
        return json + "}"
    }

    /// The names of conflicted fields (and "deletion") as a JSON array, for `record.conflicts`.
    var conflictsJSON: String {
        let names = conflictedFields.map(\.name) + (hasDeletionConflict ? ["deletion"] : [])
        return "[" + names.map(Value.quote).joined(separator: ",") + "]"
    }
}

extension FieldState {
    /// The field's displayed value as JSON, stored in `field.value` for SQL
    /// readers: the winning value of a register, the elements of a set.
    var displayJSON: String {
        switch self {
        case .register(let register):
            return register.winner.map { $0.value.json } ?? "null"
        case .set(let set):
            return "[" + set.elements.map(\.json).joined(separator: ",") + "]"
        case .text(let text):
            return Value.quote(Self.preview(text))
        case .list(let list):
            return "[" + list.itemIDs.map { Value.quote(Self.preview(list.texts[$0] ?? SequenceState())) }.joined(separator: ",") + "]"
        }
    }

    /// At most 200 characters of a long text: the audit view shows the start,
    /// `gfmd show` the whole.
    static func preview(_ text: SequenceState) -> String {
        text.count <= 200 ? text.text : text.prefix(199) + "…"
    }
}

extension Value {
    /// The value as JSON: a string, an array of strings, or null for unknown kinds.
    var json: String {
        switch self {
        case .string(let s): Self.quote(s)
        case .list(let items): "[" + items.map(Self.quote).joined(separator: ",") + "]"
        case .unknown: "null"
        }
    }

    static func quote(_ s: String) -> String {
        let plain = s.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if plain { return "\"" + s + "\"" }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
