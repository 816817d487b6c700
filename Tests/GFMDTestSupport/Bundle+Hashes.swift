public import GFMDBundle
public import GFMDCore
public import GFMDReplica

extension Bundle {
    /// The ids of the changes a bundle file carries, opened as `replica`
    /// opens it when it is sealed.
    public static func hashes(in file: [UInt8], as replica: Replica? = nil) throws -> [ChangeHash] {
        try Bundle(reading: file, as: replica).commits.flatMap { $0.leaves.map(\.change.hash) }
    }

    /// Reads a bundle file, opening a sealed one with `replica`'s key.
    public init(reading file: [UInt8], as replica: Replica?) throws {
        self = try BundleEnvelope(reading: file).open(as: replica?.bundleOpener)
    }
}
