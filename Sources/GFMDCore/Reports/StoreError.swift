/// A failure of the replica database, or a request it cannot satisfy.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable {
        fileprivate enum Base: Hashable, Sendable {
            case database, corrupt, duplicateBundle, notInitialised, newerSchema, notEnrolled, diskFull, locked, readOnly
        }
        fileprivate let base: Base
        /// SQLite reported an error.
        public static let database = Code(base: .database)
        /// Stored data does not decode: the database was altered outside gfmd.
        public static let corrupt = Code(base: .corrupt)
        /// The bundle was applied before.
        public static let duplicateBundle = Code(base: .duplicateBundle)
        /// The replica has no identity yet.
        public static let notInitialised = Code(base: .notInitialised)
        /// The database was written by a newer gfmd.
        public static let newerSchema = Code(base: .newerSchema)
        /// The replica has no root key pinned yet.
        public static let notEnrolled = Code(base: .notEnrolled)
        /// The disk (or the database's size limit) is full: the transaction was rolled back.
        public static let diskFull = Code(base: .diskFull)
        /// Another process held the replica's write lock for longer than the replica's lock timeout.
        public static let locked = Code(base: .locked)
        /// The replica was opened read-only, or its files may not be written.
        public static let readOnly = Code(base: .readOnly)
    }

    /// What went wrong.
    public let code: Code
    /// What went wrong, in words.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }

    /// The replica pins no root key yet, so it can judge no change.
    public static var notEnrolledYet: StoreError {
        StoreError(.notEnrolled, "this replica is not enrolled yet: ask the secretariat for a certificate and run `gfmd enroll CERT`")
    }
}
