public import GFMDBundle
public import GFMDCore

extension Bundle {
    /// The ids of the changes a bundle file carries.
    public static func hashes(in file: [UInt8]) throws -> [ChangeHash] {
        try Bundle(reading: file).commits.flatMap { $0.leaves.map(\.change.hash) }
    }
}
