public import GFMDCore
import GFMDStore

/// The nonces of the signed requests a hub admitted, kept across a restart
/// for its replay window (`Protocol/http.md`, "Verdicts").
extension Replica {
    /// The nonces admitted in requests signed at `since` or later.
    public func admittedNonces(since: UInt64) throws -> [AdmittedNonce] {
        try read { try $0.admittedNonces(since: since) }
    }

    /// Remembers an admitted request's nonce, forgetting those signed before `forgetBefore`.
    public func remember(_ nonce: AdmittedNonce, forgetBefore: UInt64) throws {
        try store.write { try $0.remember(nonce, forgetBefore: forgetBefore) }
    }
}
