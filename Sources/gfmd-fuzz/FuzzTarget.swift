import GFMDBundle
import GFMDCore

/// What a fuzzing run feeds its input to: each parser of untrusted bytes.
/// Every input must be refused with an error or accepted; none may crash,
/// hang or leak.
enum FuzzTarget: String, CaseIterable {
    /// A whole bundle file whose checksum and sender signature are made
    /// anew over the input, so that mutations reach the header checks, the
    /// inflation and the body rather than stopping at the checksum.
    case bundle
    /// A bundle body (inflated), its commits' proofs and signatures checked.
    case body
    /// A change, then applied to the record it creates (sequences included).
    case change
    /// A certificate, a revocation or an enrolment request (by the first byte).
    case trust
    /// A record's stored merged state (a checkpoint read back from the database).
    case state
    /// Changes (each behind its length, a varint) admitted into a replica in
    /// memory by the admission machine, without authorisation, in their
    /// order and in the reverse order: both must end alike, and every
    /// merged state must read back as itself.
    case admission

    /// The key that signs fuzzed bundle files.
    private static let sender = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: 42, count: 32))

    /// Runs one input.
    func run(_ input: [UInt8]) {
        switch self {
        case .bundle:
            guard let bundle = try? Bundle(reading: Bundle.resigned(input, by: Self.sender), limits: Self.limits) else { return }
            _ = try? bundle.verifiedCommits()
        case .body:
            guard let commits = try? Bundle.decodeBody(input) else { return }
            for commit in commits { _ = try? commit.verified() }
        case .change:
            guard let change = try? EncodedChange(bytes: input), var state = try? RecordState(creatingWith: change) else { return }
            try? state.apply(change, history: NoHistory())
            // What the store writes back must read back as the same state.
            precondition((try? RecordState(id: state.id, decoding: state.encodedState)) == state, "a merged state reads back as itself")
        case .trust:
            guard let kind = input.first else { return }
            let rest = Array(input.dropFirst())
            switch kind % 3 {
            case 0: _ = try? Certificate(decoding: rest).isSignatureValid
            case 1: _ = try? Revocation(decoding: rest).isSignatureValid
            default: _ = try? EnrolmentRequest(decoding: rest)
            }
        case .state:
            _ = try? RecordState(id: RecordID(words: (1, 2)), decoding: input)
        case .admission:
            let changes = Self.changes(in: input)
            guard !changes.isEmpty else { return }
            var digests: [String] = []
            for order in [changes, changes.reversed()] {
                let ledger = MemoryLedger(root: Self.sender.publicKey)
                let arrivals = order.map { ($0, Arrival(commitID: 0, leafIndex: 0, bundleID: nil)) }
                guard (try? ledger.admit(arrivals, authorising: false)) != nil else { preconditionFailure("admission refuses nothing it receives") }
                for (id, record) in ledger.records {
                    precondition((try? RecordState(id: id, decoding: record.state.encodedState)) == record.state, "a merged state reads back as itself")
                }
                digests.append(ledger.digest)
            }
            precondition(digests[0] == digests[1], "changes admitted in any order give the same state")
        }
    }

    /// The changes of an admission input: each behind its length, until the bytes run out or stop decoding.
    private static func changes(in input: [UInt8]) -> [EncodedChange] {
        var reader = ByteReader(input)
        var changes: [EncodedChange] = []
        while changes.count < 64, let length = try? reader.readInt("change length"), length > 0, length <= reader.remaining,
              let bytes = try? reader.readBytes(length, "change"), let change = try? EncodedChange(bytes: Array(bytes)) {
            changes.append(change)
        }
        return changes
    }

    /// Small limits, so that the fuzzer explores rather than allocates.
    private static let limits = BundleLimits(maximumFileSize: 1 << 20, maximumBodySize: 16 << 20, maximumChangeCount: 10_000)
}

/// The history of a record that has only the change being applied.
private struct NoHistory: CausalHistory {
    func editingChanges(of record: RecordID) throws -> [ChangeHash] { [] }
    func ancestry(of changes: [ChangeHash]) throws -> Set<ChangeHash> { Set(changes) }
}
