package import Foundation

/// The fields of a submitted HTML form (`application/x-www-form-urlencoded`).
package struct FormBody {
    /// The largest form the pages accept: a note, a token and a few choices.
    package static let limit = 64 * 1024

    private var fields: [String: String] = [:]

    /// Parses `bytes`; nil when they are not a well-formed form (bad
    /// percent-encoding, invalid UTF-8, a field named twice).
    package init?(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : ""),
                  fields.updateValue(value, forKey: name) == nil else { return nil }
        }
    }

    package subscript(name: String) -> String? {
        fields[name]
    }

    private static func decode(_ part: Substring) -> String? {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
