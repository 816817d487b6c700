import Foundation

/// Checks and normalises text a user typed before it becomes an operation.
///
/// Text is stored in Unicode Normalization Form C. Control characters other
/// than line feed and tab are refused, as are the bidirectional override and
/// isolate controls (U+202A–U+202E, U+2066–U+2069), which can make text display
/// differently from what it says.
public enum TextInput {
    /// The longest single-line value accepted, in Unicode scalars.
    public static let maximumLineLength = 2_000
    /// The longest text gfmd writes into one text field or list item, in
    /// UTF-8 bytes (1 MiB, some 500 pages): longer input is refused before
    /// it costs time or memory.
    public static let maximumTextBytes = 1 << 20

    /// The scalars refused in any text, with their names for the error message.
    static func forbiddenName(_ scalar: Unicode.Scalar, multiline: Bool) -> String? {
        switch scalar.value {
        case 0x0A, 0x09: return multiline ? nil : (scalar.value == 0x0A ? "a line break" : "a tab")
        case 0x0D: return multiline ? nil : "a line break"
        case 0x00...0x1F, 0x7F...0x9F: return "the control character U+\(hex(scalar))"
        case 0x202A...0x202E, 0x2066...0x2069: return "the bidirectional control U+\(hex(scalar))"
        default: return nil
        }
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `untrusted` in quotes, safe to print on a terminal: control and
    /// bidirectional characters (and backslashes and quotes) are shown as
    /// escapes, so a name from a file cannot rewrite the screen or reorder
    /// what the user reads.
    public static func quoted(_ untrusted: String) -> String {
        var result = "\""
        for scalar in untrusted.unicodeScalars {
            if forbiddenName(scalar, multiline: false) != nil || scalar == "\\" || scalar == "\"" {
                result += "\\u{\(hex(scalar))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// `untrusted` as it is when it prints safely on one line, else ``quoted(_:)``.
    public static func printable(_ untrusted: String) -> String {
        untrusted.unicodeScalars.contains { forbiddenName($0, multiline: false) != nil } ? quoted(untrusted) : untrusted
    }

    /// Returns `input` in NFC, with CR LF line ends made LF, after checking it.
    ///
    /// - Parameters:
    ///   - field: the field's name, for messages.
    ///   - multiline: whether line breaks and tabs are allowed.
    /// - Throws: ``InputError`` naming the first forbidden character.
    public static func normalise(_ input: String, field: String, multiline: Bool) throws(InputError) -> String {
        if multiline {
            guard input.utf8.count <= maximumTextBytes else {
                throw InputError(.invalidValue, "\(field) is \(input.utf8.count) bytes long, more than the limit of \(maximumTextBytes >> 20) MiB for a text")
            }
        }
        // Printable ASCII (with line breaks and tabs in texts) is already valid NFC.
        if multiline, input.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 }) {
            return input
        }
        let text = multiline ? input.replacingOccurrences(of: "\r\n", with: "\n") : input
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if let name = forbiddenName(scalar, multiline: multiline) {
                throw InputError(.invalidValue, "\(field) contains \(name) at character \(offset + 1)")
            }
        }
        let normalised = text.precomposedStringWithCanonicalMapping
        if multiline {
            guard normalised.utf8.count <= maximumTextBytes else {
                throw InputError(.invalidValue, "\(field) is longer than the limit of \(maximumTextBytes >> 20) MiB for a text")
            }
        } else {
            guard !normalised.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw InputError(.invalidValue, "\(field) cannot be empty")
            }
            guard normalised.unicodeScalars.count <= maximumLineLength else {
                throw InputError(.invalidValue, "\(field) is longer than \(maximumLineLength) characters")
            }
        }
        return normalised
    }
}
