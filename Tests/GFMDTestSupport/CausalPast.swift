public import GFMDCore

/// The causal pasts of a set of changes, computed from their dependencies
/// and remembered: what the oracles decide by.
public final class CausalPast {
    private let dependencies: [ChangeHash: [ChangeHash]]
    private var pasts: [ChangeHash: Set<ChangeHash>] = [:]

    /// The pasts within `changes`.
    public init(_ changes: [EncodedChange]) {
        dependencies = Dictionary(changes.map { ($0.hash, $0.change.dependencies) }, uniquingKeysWith: { first, _ in first })
    }

    /// `hash` and every change of the set it depends on, directly or not.
    public func of(_ hash: ChangeHash) -> Set<ChangeHash> {
        if let known = pasts[hash] { return known }
        var result: Set<ChangeHash> = [hash]
        for dependency in dependencies[hash] ?? [] { result.formUnion(of(dependency)) }
        pasts[hash] = result
        return result
    }
}
