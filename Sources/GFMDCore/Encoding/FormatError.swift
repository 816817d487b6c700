/// A byte sequence that is not a valid gfmd encoding.
///
/// Carries what was being read and the byte offset where reading failed, so a
/// message can say exactly where a damaged or hostile input went wrong.
public struct FormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of defect was found.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case truncated = "truncated"
            case overlongVarint = "overlong_varint"
            case varintOverflow = "varint_overflow"
            case invalidUTF8 = "invalid_utf8"
            case tooLarge = "too_large"
            case notCanonical = "not_canonical"
            case unsupportedVersion = "unsupported_version"
            case invalidValue = "invalid_value"
            case trailingBytes = "trailing_bytes"
        }
        fileprivate let base: Base

        /// A stable snake_case name for the code, as used in `Protocol/vectors`.
        public var name: String { base.rawValue }

        /// The input ends before the value being read is complete.
        public static let truncated = Code(base: .truncated)
        /// A varint is not in its shortest form.
        public static let overlongVarint = Code(base: .overlongVarint)
        /// A varint does not fit in 64 bits.
        public static let varintOverflow = Code(base: .varintOverflow)
        /// A string is not valid UTF-8.
        public static let invalidUTF8 = Code(base: .invalidUTF8)
        /// A length or count exceeds what the input or the format allows.
        public static let tooLarge = Code(base: .tooLarge)
        /// The value is valid but not in the one canonical form the format requires.
        public static let notCanonical = Code(base: .notCanonical)
        /// The format version is not one this build reads.
        public static let unsupportedVersion = Code(base: .unsupportedVersion)
        /// A field holds a value the format does not allow.
        public static let invalidValue = Code(base: .invalidValue)
        /// Bytes remain after a value that must end the input.
        public static let trailingBytes = Code(base: .trailingBytes)

        public var description: String {
            switch base {
            case .truncated: "truncated"
            case .overlongVarint: "over-long varint"
            case .varintOverflow: "varint overflows 64 bits"
            case .invalidUTF8: "invalid UTF-8"
            case .tooLarge: "too large"
            case .notCanonical: "not canonical"
            case .unsupportedVersion: "unsupported version"
            case .invalidValue: "invalid value"
            case .trailingBytes: "trailing bytes"
            }
        }
    }

    /// The kind of defect.
    public let code: Code
    /// Byte offset, from the start of the decoded unit, where the defect was found.
    public let offset: Int
    /// What was being read, in words ("change dependencies", "bundle header").
    public let context: String

    /// Creates an error for a defect of kind `code` at `offset` while reading `context`.
    public init(_ code: Code, at offset: Int, reading context: String) {
        self.code = code
        self.offset = offset
        self.context = context
    }

    public var description: String {
        "\(code) \(context) at byte \(offset)"
    }
}
