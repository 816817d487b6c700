import Foundation

/// The fields of a submitted HTML form (`application/x-www-form-urlencoded`).
package struct FormBody {
    /// The largest form the pages accept: a note, a token and a few choices.
    package static let limit = 64 * 1024

    private var fields: [String: [String]] = [:]

    /// Parses `bytes`; nil when they are not a well-formed form (bad
    /// percent-encoding, invalid UTF-8).
    package init?(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else { return nil }
            fields[name, default: []].append(value)
        }
    }

    /// The value of field `name`; nil when the form has none, or several
    /// (a token sent twice is no token).
    package subscript(name: String) -> String? {
        guard let values = fields[name], values.count == 1 else { return nil }
        return values[0]
    }

    /// Every value of field `name` (a repeated field, such as a list's items), in order.
    package func all(_ name: String) -> [String] {
        fields[name] ?? []
    }

    private static func decode(_ part: Substring) -> String? {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
