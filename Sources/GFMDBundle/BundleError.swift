import GFMDCore

/// A bundle file that cannot be applied, and why.
///
/// Every message names what is wrong with the file in words a delegation
/// officer can pass on ("the file is truncated", "signed by another key").
public struct BundleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public struct Code: Hashable, Sendable {
        fileprivate enum Base: String, Hashable, Sendable {
            case notABundle = "not_a_bundle"
            case unsupportedVersion = "unsupported_version"
            case truncated = "truncated"
            case tooLarge = "too_large"
            case checksumMismatch = "checksum_mismatch"
            case badSignature = "bad_signature"
            case decompressionBomb = "decompression_bomb"
            case malformedHeader = "malformed_header"
            case unknownSender = "unknown_sender"
            case corruptBody = "corrupt_body"
            case malformedBody = "malformed_body"
            case invalidChange = "invalid_change"
            case invalidCommit = "invalid_commit"
            case notForThisSite = "not_for_this_site"
            case cannotOpen = "cannot_open"
        }
        fileprivate let base: Base

        /// A stable snake_case name for the code, as used in `Protocol/vectors`.
        public var name: String { base.rawValue }
        /// The file does not start with the bundle magic.
        public static let notABundle = Code(base: .notABundle)
        /// The format version is newer (or older) than this build reads.
        public static let unsupportedVersion = Code(base: .unsupportedVersion)
        /// The file ends early or its lengths do not add up.
        public static let truncated = Code(base: .truncated)
        /// The file, or its body, exceeds the configured limits.
        public static let tooLarge = Code(base: .tooLarge)
        /// The bytes do not match the checksum: the file was altered or damaged.
        public static let checksumMismatch = Code(base: .checksumMismatch)
        /// The sender's signature does not verify.
        public static let badSignature = Code(base: .badSignature)
        /// A header field is invalid: the sender key, participant or certificate.
        public static let malformedHeader = Code(base: .malformedHeader)
        /// The sender is not enrolled under the reader's root: no usable
        /// certificate (unknown, another root's, revoked, expired), or one
        /// for another key or participant than the header names.
        public static let unknownSender = Code(base: .unknownSender)
        /// The body inflates to more than it declares.
        public static let decompressionBomb = Code(base: .decompressionBomb)
        /// The compressed body is damaged.
        public static let corruptBody = Code(base: .corruptBody)
        /// The body does not follow the format.
        public static let malformedBody = Code(base: .malformedBody)
        /// A change in the body is not a valid change.
        public static let invalidChange = Code(base: .invalidChange)
        /// A commit's proof or signature does not verify.
        public static let invalidCommit = Code(base: .invalidCommit)
        /// A sealed bundle names no key of the reading site: it is for someone else.
        public static let notForThisSite = Code(base: .notForThisSite)
        /// The reading site's wrapped key in a sealed bundle does not open with its key.
        public static let cannotOpen = Code(base: .cannotOpen)
    }

    /// What is wrong.
    public let code: Code
    /// What is wrong, in words.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// Wraps a decoding error of the body.
    init(body error: FormatError) {
        self.init(.malformedBody, "the bundle body is malformed: \(error)")
    }

    public var description: String { reason }
}
