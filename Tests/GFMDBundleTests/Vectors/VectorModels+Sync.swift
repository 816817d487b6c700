import GFMDCore
import GFMDSync

extension VectorModels.SyncJSON {
    /// What `message` says, as JSON.
    init(_ message: SyncMessage) {
        recipient = message.recipient
        holds = message.holds.sites.map { Entry(site: $0.description, time: message.holds[$0].rawValue, vouched: message.vouched.contains($0)) }
        extras = message.extras.map { Point(site: $0.site.description, time: $0.timestamp.rawValue) }
        wants = message.wants.map(\.hex)
        trustHeads = message.trustHeads.map(\.hex)
        taken = Dictionary(uniqueKeysWithValues: message.taken.map { ($0.key.description, $0.value.rawValue) })
        switch message.basis {
        case .nothing: basis = nil
        case .sent(let chains): basis = Dictionary(uniqueKeysWithValues: chains.map { ($0.key.description, $0.value.map(\.rawValue)) })
        }
        fingerprints = message.fingerprints.isEmpty ? nil : Dictionary(uniqueKeysWithValues: message.fingerprints.map { site, fingerprint in
            (site.description, Fingerprint(time: fingerprint.time.rawValue, count: fingerprint.count,
                                           xor: Hex.encode(withUnsafeBytes(of: fingerprint.xor.bigEndian) { Array($0) })))
        })
    }
}
