public import GFMDCore

/// A root key, its trust record and a few enrolled sites, made by hand, for
/// property tests that write *any* change the format can express: the
/// changes a modified or hostile client could sign, not only those gfmd's
/// own commands write.
public struct HostileUniverse: Sendable {
    /// A site of the universe with its key, its participant and the
    /// trust-record change that certifies it.
    public struct Actor: Sendable {
        /// The site, making changes with its own clock.
        public var site: TestSite
        /// Its certificate.
        public var certificate: Certificate
        /// The trust-record change holding its certificate.
        public var certification: ChangeHash
    }

    /// The root key every store of the universe pins.
    public let root: SiteSigningKey
    /// The trust record of `root`.
    public let trustRecord: RecordID
    /// The trust-record changes every store receives first: the trust
    /// record's creation, certifying the secretariat site, and the
    /// certificates of the other actors.
    public private(set) var baseTrust: [EncodedChange] = []
    /// The secretariat site that holds the trust record (also an actor).
    public private(set) var secretariat: TestSite
    /// Enrolled actors: two PHL laptops, a MEX laptop, the secretariat.
    public private(set) var actors: [Actor] = []
    private var nextSerial: UInt64 = 1

    /// The start of every certificate's validity.
    public static let start = HybridTimestamp(milliseconds: 1_790_000_000_000, counter: 0)
    /// The end of every certificate's validity.
    public static let end = HybridTimestamp(milliseconds: 1_900_000_000_000, counter: 0)

    /// A universe whose keys derive from `seed`.
    public init(seed: UInt8 = 200) {
        root = try! SiteSigningKey(rawRepresentation: [UInt8](repeating: seed, count: 32))
        trustRecord = TrustRecord.id(for: root.publicKey)
        secretariat = TestSite(seed: seed &+ 1, participant: "SEC", author: "Secretariat")
        let own = certificate(for: secretariat.key.publicKey, participant: "SEC", role: .secretariat)
        let creation = secretariat.change(trustRecord, on: [], [.create(type: TrustRecord.type, owner: "SEC"), .certify(own)])
        baseTrust.append(creation)
        var certified: [(TestSite, Certificate)] = []
        for (offset, participant) in ["PHL", "PHL", "MEX"].enumerated() {
            let site = TestSite(seed: seed &+ 2 &+ UInt8(offset), participant: participant, author: "Author \(offset)")
            certified.append((site, certificate(for: site.key.publicKey, participant: participant, role: .delegate)))
        }
        let enrolment = secretariat.change(trustRecord, on: [creation.hash], certified.map { .certify($0.1) })
        baseTrust.append(enrolment)
        actors = certified.map { Actor(site: $0.0, certificate: $0.1, certification: enrolment.hash) }
        actors.append(Actor(site: secretariat, certificate: own, certification: creation.hash))
    }

    /// The latest trust-record changes every store holds once it has `baseTrust`.
    public var baseTrustHeads: [ChangeHash] { [baseTrust.last!.hash] }

    /// A certificate of the root for `key`.
    public mutating func certificate(for key: SitePublicKey, participant: String, role: Role) -> Certificate {
        defer { nextSerial += 1 }
        return Certificate.issue(serial: nextSerial, siteKey: key, participant: participant, role: role,
                                 notBefore: Self.start, notAfter: Self.end, root: root)
    }

    /// A new site and the trust-record change, made by the secretariat site
    /// on the base trust, that certifies it: the site is enrolled only where
    /// that change arrives.
    public mutating func lateActor(key: SiteSigningKey, participant: String, role: Role = .delegate) -> (actor: Actor, certification: EncodedChange) {
        let site = TestSite(key: key, participant: participant, author: "Late author")
        let certificate = certificate(for: key.publicKey, participant: participant, role: role)
        let change = secretariat.change(trustRecord, on: baseTrustHeads, [.certify(certificate)])
        return (Actor(site: site, certificate: certificate, certification: change.hash), change)
    }

    /// A trust-record change revoking `certificate`.
    public mutating func revocation(of certificate: Certificate, on dependencies: [ChangeHash]) -> EncodedChange {
        let revocation = Revocation.issue(certificate, at: Self.start, reason: "lost laptop", root: root)
        return secretariat.change(trustRecord, on: dependencies, [.revoke(revocation)])
    }
}
