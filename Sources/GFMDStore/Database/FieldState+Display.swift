import GFMDCore

extension FieldState {
    /// The field's displayed value as JSON, stored in `field.value` for SQL
    /// readers: the winning value of a register, the elements of a set.
    var displayJSON: String {
        switch self {
        case .register(let register):
            return register.winner.map { $0.value.json } ?? "null"
        case .set(let set):
            return "[" + set.elements.map(\.json).joined(separator: ",") + "]"
        }
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
