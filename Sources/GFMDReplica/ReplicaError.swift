/// A request the replica refuses, with the reason in words.
public struct ReplicaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal.
    public struct Code: Hashable, Sendable {
        fileprivate enum Base: Hashable, Sendable { case noReplica, alreadyExists, keyFile, invalidRequest }
        fileprivate let base: Base
        /// No replica at the given place.
        public static let noReplica = Code(base: .noReplica)
        /// `init` on a folder that already holds a replica.
        public static let alreadyExists = Code(base: .alreadyExists)
        /// The site key file is missing, unreadable or damaged.
        public static let keyFile = Code(base: .keyFile)
        /// The request does not make sense for this replica.
        public static let invalidRequest = Code(base: .invalidRequest)
    }

    /// What kind of refusal.
    public let code: Code
    /// The reason, in words.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
