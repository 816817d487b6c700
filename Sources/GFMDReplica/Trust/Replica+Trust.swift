public import Foundation
public import GFMDCore
import GFMDBundle
import GFMDStore
import GFMDSync
public import Logging

/// What enrolling did: who this replica now is, under which root.
public struct Enrolment: Sendable {
    /// This site's certificate.
    public let certificate: Certificate
    /// The root key now pinned (compare its fingerprint with the secretariat's).
    public let root: SitePublicKey
}

extension Replica {
    /// How long a certificate is valid unless the secretariat says otherwise.
    public static let defaultValidityDays = 730

    /// Creates the secretariat's first replica: a site key and the root key
    /// that signs every certificate. The root is pinned and the trust record
    /// created, with this site enrolled as secretariat.
    public static func createSecretariat(
        at directory: URL, author: String, clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "gfmd")
    ) throws -> Replica {
        let root = SiteSigningKey()
        let replica = try create(at: directory, participant: .secretariat, author: author, rootKey: root, clock: clock, logger: logger)
        let now = clock.nowMilliseconds()
        let certificate = Certificate.issue(
            serial: try replica.store.write { try $0.nextCertificateSerial() }, siteKey: replica.identity.publicKey,
            encryptionKey: try replica.key.decryptionKey.publicKey, participant: ParticipantCode.secretariat.rawValue, role: .secretariat,
            notBefore: HybridTimestamp(milliseconds: now, counter: 0),
            notAfter: HybridTimestamp(milliseconds: now + UInt64(defaultValidityDays) * 86_400_000, counter: 0), root: root)
        try replica.store.write { writer in
            try writer.pin(root: root.publicKey)
            var clock = try writer.reader.clock()
            let change = EncodedChange(Change(
                record: TrustRecord.id(for: root.publicKey), site: replica.siteID, participant: ParticipantCode.secretariat.rawValue,
                author: replica.identity.author, timestamp: clock.tick(wallMilliseconds: now), dependencies: [],
                operations: [.create(type: TrustRecord.type, owner: ParticipantCode.secretariat.rawValue), .certify(certificate)]))
            _ = try writer.apply([VerifiedCommit.signing([change], with: replica.key)], refuseUnauthorised: true)
            try writer.save(clock)
        }
        return replica
    }

    /// Whether this replica holds the secretariat's root key (and so may certify and revoke).
    public var holdsRootKey: Bool { rootKey != nil }

    /// The file of the root key, on the replica that holds it.
    public var rootKeyFile: URL? {
        rootKey == nil ? nil : directory.appendingPathComponent(SiteKeyFile.rootName)
    }

    /// The root key this replica trusts, once enrolled.
    public func pinnedRoot() throws -> SitePublicKey? {
        try read { try $0.root() }
    }

    /// This site's enrolment request, to send to the secretariat.
    public func enrolmentRequest() throws -> EnrolmentRequest {
        EnrolmentRequest(key: try key, participant: identity.participant, author: identity.author,
                         created: HybridTimestamp(milliseconds: clock.nowMilliseconds(), counter: 0))
    }

    /// Issues a certificate for the site that made `request`, records it in
    /// the trust record, and returns the enrolment file: a bundle of the
    /// certificate's trust-record change and its causal past, which the site
    /// applies with ``enroll(_:)``.
    ///
    /// - Throws: ``ReplicaError`` on a replica without the root key, or for a
    ///   request whose participant does not fit the role.
    public func certify(_ request: EnrolmentRequest, role: Role, validityDays: Int = Replica.defaultValidityDays) throws -> [UInt8] {
        guard let rootKey else {
            throw ReplicaError(.invalidRequest, "only the secretariat replica that holds the root key certifies sites")
        }
        guard let participant = ParticipantCode(request.participant) else {
            throw ReplicaError(.invalidRequest, "the request names \(request.participant), which is not a participant code")
        }
        if role == .secretariat && participant != .secretariat {
            throw ReplicaError(.invalidRequest, "only sites of the secretariat (SEC) are enrolled as secretariat, not \(participant)")
        }
        guard validityDays > 0 else { throw ReplicaError(.invalidRequest, "a certificate must be valid for at least a day") }
        let now = clock.nowMilliseconds()
        let changes = try store.write { writer in
            let certificate = Certificate.issue(
                serial: try writer.nextCertificateSerial(), siteKey: request.siteKey, encryptionKey: request.encryptionKey,
                participant: participant.rawValue, role: role,
                notBefore: HybridTimestamp(milliseconds: now, counter: 0),
                notAfter: HybridTimestamp(milliseconds: now + UInt64(validityDays) * 86_400_000, counter: 0), root: rootKey)
            let change = try recordInTrust([.certify(certificate)], besides: [], writer: writer)
            // The certificates of the secretariat's sites and of its own participant's too: the new
            // laptop seals its first bundles to every site of SEC, and of its participant, enrolled so far.
            let known = try writer.trustState().certificates.filter { _, certificates in
                certificates.contains { [ParticipantCode.secretariat, participant].map(\.rawValue).contains($0.participant) }
            }
            return [change] + (try known.keys.sorted().flatMap { try writer.trustChanges(concerning: $0) })
        }
        let enrolment = try read { try $0.ancestry(of: changes) }
        // Known to hold its enrolment file alone: the next bundle for its participant carries everything else.
        try store.write { writer in
            try writer.introduce(PeerKnowledge(site: request.siteKey.siteID, participant: participant.rawValue, trust: enrolment))
        }
        return try createBundle(selection: enrolment).bytes
    }

    /// Revokes every certificate of the site whose id starts with `site`.
    ///
    /// - Returns: the certificates revoked.
    /// - Throws: ``ReplicaError`` without the root key, or when no unrevoked certificate matches.
    @discardableResult
    public func revoke(site prefix: String, reason: String = "") throws -> [Certificate] {
        guard let rootKey else {
            throw ReplicaError(.invalidRequest, "only the secretariat replica that holds the root key revokes certificates")
        }
        let now = clock.nowMilliseconds()
        return try store.write { writer in
            let trust = try writer.trustState()
            let matches = trust.certificates.filter { $0.key.hex.hasPrefix(prefix.lowercased()) }
            guard prefix.count >= SiteID.minimumPrefixLength, matches.count <= 1 else {
                throw ReplicaError(.invalidRequest, "\(prefix) does not name one site: give more of its id")
            }
            let certificates = (matches.first?.value ?? []).filter { !trust.revokedSerials.contains($0.serial) }
            guard !certificates.isEmpty else {
                if let site = matches.first?.key,
                   let revoked = try enrolledSites(writer.reader).last(where: { $0.certificate.site == site })?.revocation {
                    let why = revoked.reason.isEmpty ? "" : ": \(revoked.reason)"
                    throw ReplicaError(.invalidRequest,
                        "site \(site.hex) is already revoked (certificate \(revoked.serial), on \(revoked.revokedAt.iso8601)\(why)); nothing changed")
                }
                throw ReplicaError(.invalidRequest, "no enrolled site has an id starting with \(prefix)")
            }
            let time = HybridTimestamp(milliseconds: now, counter: 0)
            let site = certificates[0].site
            // The revocation follows the certificates it revokes.
            _ = try recordInTrust(certificates.map { .revoke(Revocation.issue($0, at: time, reason: reason, root: rootKey)) },
                                  besides: try writer.trustChanges(concerning: site), writer: writer)
            return certificates
        }
    }

    /// Installs an enrolment file from the secretariat: pins its root key and
    /// applies the trust record it carries, which must certify this site.
    ///
    /// - Throws: ``ReplicaError`` when the file certifies another site or
    ///   another root is already pinned; ``BundleError`` for a damaged file.
    @discardableResult
    public func enroll(_ file: [UInt8]) throws -> Enrolment {
        let opened = try OpenedBundle(Bundle(reading: file))
        let (bundle, commits) = (opened.bundle, opened.commits)
        let certificates = commits.flatMap { $0.leaves.flatMap { leaf in
            leaf.change.change.operations.compactMap { operation -> Certificate? in
                if case .certify(let certificate) = operation { certificate } else { nil }
            }
        } }
        guard let mine = certificates.last(where: { $0.siteKey == identity.publicKey }) else {
            throw ReplicaError(.invalidRequest, "this enrolment file does not certify this site (\(siteID.short)): was it made for another laptop?")
        }
        guard mine.isSignatureValid else {
            throw ReplicaError(.invalidRequest, "the certificate in this enrolment file is not signed by the root key it names")
        }
        guard mine.participant == identity.participant else {
            throw ReplicaError(.invalidRequest, "the certificate is for \(mine.participant), but this replica acts for \(identity.participant)")
        }
        var carried = TrustState()
        for commit in commits {
            for leaf in commit.leaves where leaf.change.change.record == TrustRecord.id(for: mine.issuer) { carried.apply(leaf.change.change) }
        }
        try Self.checkSender(of: bundle.header, trust: carried, root: mine.issuer)
        _ = try apply(opened, fileName: "enrolment", pinning: mine.issuer, through: store)
        return Enrolment(certificate: mine, root: mine.issuer)
    }

    /// The certificates and revocations this replica holds.
    func trustState(_ reader: StoreReader) throws -> TrustState {
        var state = TrustState()
        guard let trust = try reader.trustRecordID() else { return state }
        for stored in try reader.changes(of: trust) { state.apply(stored.change) }
        return state
    }

    /// This site's certificate, if it is enrolled and not revoked.
    public func certificate() throws -> Certificate? {
        try read { reader in
            guard let root = try reader.root() else { return nil }
            let now = HybridTimestamp(milliseconds: clock.nowMilliseconds(), counter: 0)
            return try? trustState(reader).certificate(for: siteID, at: now, root: root).get()
        }
    }

    /// Records trust operations in a change of the trust record, depending
    /// on `dependencies` and on this site's own certificate.
    ///
    /// - Returns: the change's id.
    private func recordInTrust(_ operations: [ChangeOperation], besides dependencies: [ChangeHash], writer: StoreWriter) throws -> ChangeHash {
        guard let trust = try writer.reader.trustRecordID() else {
            throw ReplicaError(.invalidRequest, "this replica has no trust record")
        }
        var clock = try writer.reader.clock()
        let change = EncodedChange(Change(
            record: trust, site: siteID, participant: identity.participant, author: identity.author,
            timestamp: clock.tick(wallMilliseconds: self.clock.nowMilliseconds()),
            dependencies: Set(dependencies + (try writer.reader.trustDependencies(
                among: writer.trustChanges(concerning: siteID), besides: dependencies))).sorted(),
            operations: operations))
        _ = try writer.apply([VerifiedCommit.signing([change], with: try key)], refuseUnauthorised: true)
        try writer.save(clock)
        return change.hash
    }
}
