import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

/// `gfmd request`: writes this laptop's enrolment request.
struct RequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Write this laptop's enrolment request, to send to the secretariat.",
        discussion: "The request names this laptop's key, participant and author, signed with the key. The secretariat answers with a certificate file for `gfmd enroll`.")

    @OptionGroup var replica: ReplicaOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write.", valueName: "file"))
    var output: String

    func run() throws {
        let replica = try replica.open()
        try FileArgument.write(replica.enrolmentRequest().encoded, to: output)
        Output.line("Wrote the enrolment request of site \(replica.siteID.hex) (\(replica.identity.participant), \(replica.identity.author)) to \(output)")
        Output.line("Send it to the secretariat; enrol with `gfmd enroll CERT` when the certificate comes back")
    }
}

/// `gfmd certify`: the secretariat certifies a laptop.
struct CertifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certify",
        abstract: "Certify the laptop that made an enrolment request (secretariat, with the root key).",
        discussion: """
            Roles: delegate (drafts and edits its participant's records), secretariat \
            (reviews, accepts, edits any record; SEC laptops only), observer and auditor \
            (read only). The certificate joins the trust record, which travels in bundles; \
            the file written holds it, for the laptop's `gfmd enroll`.
            """)

    @OptionGroup var replica: ReplicaOptions

    @Argument(help: ArgumentHelp("The enrolment request file.", valueName: "request"))
    var request: String

    @Option(help: ArgumentHelp("delegate, secretariat, observer or auditor.", valueName: "role"))
    var role: String

    @Option(help: ArgumentHelp("How many days the certificate is valid.", valueName: "days"))
    var days = Replica.defaultValidityDays

    @Option(name: .shortAndLong, help: ArgumentHelp("The certificate file to write.", valueName: "file"))
    var output: String

    func validate() throws {
        guard Role(name: role) != nil else {
            throw ValidationError("\"\(role)\" is not a role: use delegate, secretariat, observer or auditor")
        }
    }

    func run() throws {
        let replica = try replica.open()
        let parsed: EnrolmentRequest
        do {
            parsed = try EnrolmentRequest(decoding: try FileArgument.read(request))
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("\(request): not a valid enrolment request: \(error)")
        }
        let file = try replica.certify(parsed, role: Role(name: role)!, validityDays: days)
        try FileArgument.write(file, to: output)
        Output.line("Certified site \(parsed.siteKey.siteID.hex) (\(parsed.author)) as \(role) of \(parsed.participant) for \(Output.count(days, "day"))")
        Output.line("Wrote \(output): send it to that laptop for `gfmd enroll`")
    }
}

/// `gfmd enroll`: installs this laptop's certificate.
struct EnrollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Install the certificate the secretariat issued for this laptop.",
        discussion: "The file pins the secretariat's root key on this replica: check its fingerprint with the secretariat.")

    @OptionGroup var replica: ReplicaOptions

    @Argument(help: ArgumentHelp("The certificate file from `gfmd certify`.", valueName: "file"))
    var file: String

    func run() throws {
        var replica = try replica.open()
        let bytes = try FileArgument.read(file)
        if try replica.certifiesNextSite(bytes) {
            // The certificate of the new site asked for with `gfmd rekey`.
            let old = replica.siteID
            try replica.moveToNextSite()
            replica = try self.replica.open()
            Output.line("Moved from site \(old.short) to site \(replica.siteID.short): changes made from now on are signed by the new site")
        }
        let enrolment = try replica.enroll(bytes)
        let certificate = enrolment.certificate
        Output.line("Enrolled site \(replica.siteID.hex) as \(certificate.role) of \(certificate.participant), valid until \(Output.time(certificate.notAfter)) (serial \(certificate.serial))")
        Output.line("Root key fingerprint \(enrolment.root.siteID.hex): check it with the secretariat")
    }
}

/// `gfmd revoke`: the secretariat revokes a laptop's certificates.
struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a laptop's certificates (secretariat, with the root key).",
        discussion: """
            Changes whose causal past holds the revocation are rejected everywhere. Changes \
            the laptop made before it received the revocation stay valid: revoke a lost or \
            stolen laptop at once, and send the revocation to every peer.
            """)

    @OptionGroup var replica: ReplicaOptions

    @Argument(help: ArgumentHelp("The site id, or its first digits.", valueName: "site"))
    var site: String

    @Option(help: ArgumentHelp("Why, recorded with the revocation.", valueName: "text"))
    var reason = ""

    func run() throws {
        let replica = try replica.open()
        let revoked = try replica.revoke(site: site, reason: reason)
        for certificate in revoked {
            Output.line("Revoked certificate \(certificate.serial) of site \(certificate.site.hex) (\(certificate.role) of \(certificate.participant))")
        }
    }
}

/// `gfmd sites`: the laptops this replica knows enrolled, and their state.
struct SitesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sites",
        abstract: "List enrolled sites: participant, role, validity, and revocations.",
        discussion: "One line per certificate of the trust record this replica holds; a delegation's laptop knows only the certificates it received.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let replica = try replica.openForReading()
        let sites = try replica.enrolledSites()
        if output.json {
            try Output.json(sites)
            return
        }
        guard !sites.isEmpty else {
            Output.line("No enrolled sites.")
            return
        }
        let now = HybridTimestamp(milliseconds: replica.nowMilliseconds, counter: 0)
        Output.line([Output.pad("SITE", 8), Output.pad("WHO", 6), Output.pad("ROLE", 11), Output.pad("SERIAL", 6), "STATE"].joined(separator: " "))
        for entry in sites {
            let certificate = entry.certificate
            let state: String
            if let revocation = entry.revocation {
                state = "revoked \(Output.time(revocation.revokedAt))" + (revocation.reason.isEmpty ? "" : ": \(revocation.reason)")
            } else if certificate.isValid(at: now) {
                state = "valid until \(Output.time(certificate.notAfter))"
            } else {
                state = now < certificate.notBefore ? "valid from \(Output.time(certificate.notBefore))" : "expired \(Output.time(certificate.notAfter))"
            }
            Output.line([Output.pad(certificate.site.short, 8), Output.pad(certificate.participant, 6), Output.pad(certificate.role.description, 11),
                         Output.pad(String(certificate.serial), 6), state].joined(separator: " "))
        }
    }
}
