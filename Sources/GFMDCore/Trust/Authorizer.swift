/// A change its author's site was not allowed to make, and why.
public struct AuthorizationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which rule refused the change.
    public struct Code: Hashable, Sendable {
        fileprivate enum Base: String, Hashable, Sendable {
            case unenrolled, revoked, expired, wrongParticipant = "wrong_participant", wrongRole = "wrong_role"
            case notContributor = "not_contributor", locked, illegalTransition = "illegal_transition"
            case invalidCertificate = "invalid_certificate", wrongRoot = "wrong_root", dependsOnRejected = "depends_on_rejected"
        }
        fileprivate let base: Base
        /// A stable snake_case name for the code, as used in `Protocol/vectors`.
        public var name: String { base.rawValue }
        /// No certificate for the signer in the causal past.
        public static let unenrolled = Code(base: .unenrolled)
        /// The signer's certificate was revoked in the causal past.
        public static let revoked = Code(base: .revoked)
        /// The signer's certificate is not valid at the change's time.
        public static let expired = Code(base: .expired)
        /// The change claims another participant than the certificate's.
        public static let wrongParticipant = Code(base: .wrongParticipant)
        /// The signer's role does not allow the change.
        public static let wrongRole = Code(base: .wrongRole)
        /// The signer's participant neither owns nor co-authors the record.
        public static let notContributor = Code(base: .notContributor)
        /// The record's work-flow state does not allow the edit.
        public static let locked = Code(base: .locked)
        /// A work-flow transition that is not allowed.
        public static let illegalTransition = Code(base: .illegalTransition)
        /// A certificate or revocation that does not verify with the root key.
        public static let invalidCertificate = Code(base: .invalidCertificate)
        /// A trust record of another root.
        public static let wrongRoot = Code(base: .wrongRoot)
        /// The change depends on a rejected change.
        public static let dependsOnRejected = Code(base: .dependsOnRejected)
    }

    /// Which rule refused the change.
    public let code: Code
    /// Why, in words.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}

/// Decides whether a change was allowed, from its causal past alone
/// (`Protocol/trust.md`, "Authorisation"): every replica decides the same,
/// whatever order the change arrived in.
public enum Authorizer {
    /// What the decision needs to know about the change's causal past.
    public struct Context {
        /// The root key this replica pins.
        public let root: SitePublicKey
        /// The certificates and revocations in the change's causal past.
        public let trust: TrustState
        /// The record's type and owner as the creates and settlements in the
        /// change's causal past give them (`Protocol/changes.md`, rule 6);
        /// nil for a change creating its record.
        public let identity: RecordIdentity?
        /// Co-authors and work-flow state at the change's dependencies, computed when needed.
        public let governance: () throws -> Governance

        /// Describes a change's causal past.
        public init(root: SitePublicKey, trust: TrustState, identity: RecordIdentity?, governance: @escaping () throws -> Governance) {
            self.root = root
            self.trust = trust
            self.identity = identity
            self.governance = governance
        }
    }

    /// Checks `change` of record `record`.
    ///
    /// - Throws: ``AuthorizationError`` naming the rule that refuses it; errors
    ///   of the context's governance computation are passed on.
    public static func check(_ change: Change, record: RecordID, in context: Context) throws {
        if (context.identity?.type ?? change.creation?.type) == TrustRecord.type {
            return try checkTrust(change, record: record, in: context)
        }
        let certificate = try context.trust.certificate(for: change.site, at: change.timestamp, root: context.root).get()
        guard certificate.participant == change.participant else {
            throw AuthorizationError(.wrongParticipant, "the change claims participant \(change.participant), but site \(change.site.short) is enrolled for \(certificate.participant)")
        }
        let role = certificate.role
        guard role == .delegate || role == .secretariat else {
            throw AuthorizationError(.wrongRole, "site \(change.site.short) is enrolled as \(role), which reads but makes no changes")
        }
        let identity: RecordIdentity
        var governanceAtDependencies = context.governance
        if let creation = change.creation {
            // Everyone, the secretariat included, creates records it owns.
            guard creation.owner == certificate.participant else {
                throw AuthorizationError(.notContributor, "\(certificate.participant) may not create a record owned by \(creation.owner)")
            }
            guard creation.type != TrustRecord.type else {
                throw AuthorizationError(.wrongRoot, "a trust record is created only for the pinned root key")
            }
            // Its other operations are judged like an edit's, on a record with
            // no governance yet (a draft, no co-authors): a create cannot
            // publish, review or settle what nobody saw.
            identity = RecordIdentity(type: creation.type, owner: creation.owner)
            governanceAtDependencies = { Governance() }
        } else {
            guard let seen = context.identity else { return }
            identity = seen
        }
        let isOwner = certificate.participant == identity.owner
        // Work out what the change does.
        var transition: WorkflowState?
        var editsContent = false, managesCoAuthors = false, deletes = false, writesNote = false, settles = false
        // Each operation is matched by binding its field, never against a
        // pattern that copies the whole operation (W2: 3 % of the applying thread).
        for operation in change.operations {
            switch operation {
            case .set(let field, let value, _):
                if field == Workflow.field {
                    guard let target = value.stringValue.flatMap(WorkflowState.init(rawValue:)) else {
                        throw AuthorizationError(.illegalTransition, "\"\(value.displayText)\" is not a work-flow state")
                    }
                    transition = target
                } else if field == Workflow.noteField {
                    writesNote = true
                } else if field == Settlement.field {
                    settles = true
                } else if field.hasPrefix(Workflow.reservedPrefix) {
                    throw AuthorizationError(.wrongRole, "field \(field) is reserved to gfmd")
                } else {
                    editsContent = true
                }
            case .add(let field, _), .remove(let field, _, _):
                if field == "co_authors" { managesCoAuthors = true } else { editsContent = true }
            case .text, .list:
                editsContent = true
            case .setDeleted:
                deletes = true
            case .certify, .revoke:
                throw AuthorizationError(.wrongRole, "certificates and revocations belong in the trust record")
            case .create, .unknown:
                continue
            }
        }
        if role == .secretariat {
            if let transition {
                let governance = try governanceAtDependencies()
                guard governance.states.contains(where: { Workflow.allows(from: $0, to: transition, by: .secretariat) })
                        || governance.states.contains(where: { Workflow.allows(from: $0, to: transition, by: .contributor) }) && isOwner else {
                    throw AuthorizationError(.illegalTransition, "the secretariat cannot move a record from \(governance.state.displayName) to \(transition.displayName)")
                }
            }
            return
        }
        // A delegate.
        if settles {
            throw AuthorizationError(.wrongRole, "only the secretariat settles which create of a contested record stands")
        }
        if writesNote {
            throw AuthorizationError(.wrongRole, "only the secretariat writes review notes")
        }
        if managesCoAuthors && !isOwner {
            throw AuthorizationError(.notContributor, "only the owner (\(identity.owner)) manages the co-authors")
        }
        if deletes && !isOwner {
            throw AuthorizationError(.notContributor, "only the owner (\(identity.owner)) or the secretariat deletes a record")
        }
        let governance = try governanceAtDependencies()
        guard isOwner || governance.isCoAuthor(certificate.participant) else {
            throw AuthorizationError(.notContributor, "\(certificate.participant) neither owns nor co-authors this \(identity.type) (owner \(identity.owner))")
        }
        if let transition {
            guard governance.states.contains(where: { Workflow.allows(from: $0, to: transition, by: .contributor) }) else {
                throw AuthorizationError(.illegalTransition, "a delegation cannot move a record from \(governance.state.displayName) to \(transition.displayName)")
            }
        }
        if editsContent || managesCoAuthors || deletes {
            let editable = governance.states.contains { Workflow.editableByContributors.contains($0) }
                || (transition == .draft && governance.states.contains(.accepted))
            guard editable else {
                let hint = governance.state == .submitted
                    ? "withdraw it first (gfmd withdraw) to edit it"
                    : "it stays locked until the secretariat returns or accepts it"
                throw AuthorizationError(.locked, "the record is \(governance.state.displayName): \(hint)")
            }
        }
    }

    /// The rules of the trust record: only secretariat sites write it, and
    /// everything in it is signed by the pinned root.
    static func checkTrust(_ change: Change, record: RecordID, in context: Context) throws {
        guard record == TrustRecord.id(for: context.root) else {
            throw AuthorizationError(.wrongRoot, "the trust record \(record.short) belongs to another root key")
        }
        var trust = context.trust
        for operation in change.operations {
            switch operation {
            case .certify(let certificate):
                guard certificate.issuer == context.root, certificate.isSignatureValid else {
                    throw AuthorizationError(.invalidCertificate, "certificate \(certificate.serial) is not signed by the root key")
                }
            case .revoke(let revocation):
                guard revocation.issuer == context.root, revocation.isSignatureValid else {
                    throw AuthorizationError(.invalidCertificate, "revocation of certificate \(revocation.serial) is not signed by the root key")
                }
            case .create:
                continue
            default:
                throw AuthorizationError(.wrongRole, "the trust record holds only certificates and revocations")
            }
        }
        // The trust record's first change may enrol its own author.
        if change.creation != nil { trust.apply(change) }
        let certificate = try trust.certificate(for: change.site, at: change.timestamp, root: context.root).get()
        guard certificate.role == .secretariat else {
            throw AuthorizationError(.wrongRole, "only a secretariat site writes the trust record; site \(change.site.short) is \(certificate.role)")
        }
    }
}
