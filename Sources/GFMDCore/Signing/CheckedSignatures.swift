import Synchronization

/// Signatures over trust statements (certificates and revocations) this
/// process found valid, so that a statement checked again is not verified
/// again.
///
/// The same certificate is checked where a bundle's header carries it for
/// its sender, where the trust record's change certifies it, and again at
/// each sync a hub serves (W2 at 250 delegations: two Ed25519 verifications
/// per delegation, 3.7 % of the applying thread). An entry is the key, the
/// signature and the signed message themselves, compared whole: a hit is
/// exactly a verification done before. Only valid signatures are kept, at
/// most ``capacity`` of them (the set starts again when full).
enum CheckedSignatures {
    /// How many valid signatures are kept.
    static let capacity = 4096

    private static let valid = Mutex<Set<[UInt8]>>([])

    /// Whether `signature` is `key`'s signature of `message`.
    static func isValid(_ signature: [UInt8], for message: [UInt8], by key: SitePublicKey) -> Bool {
        // The key (32 bytes) and the signature (64, the only size that
        // verifies) have fixed sizes: an entry reads one way only.
        guard signature.count == SitePublicKey.signatureByteCount else { return false }
        let entry = key.rawRepresentation + signature + message
        if valid.withLock({ $0.contains(entry) }) { return true }
        guard key.isValidSignature(signature, for: message) else { return false }
        valid.withLock { valid in
            if valid.count >= capacity { valid.removeAll(keepingCapacity: true) }
            valid.insert(entry)
        }
        return true
    }
}
