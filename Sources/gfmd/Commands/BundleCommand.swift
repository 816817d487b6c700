import ArgumentParser
import Foundation
import GFMDCore
import GFMDReplica

/// `gfmd bundle`: exchanging changes as files.
struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Exchange changes as bundle files (USB stick, e-mail).",
        discussion: """
            A bundle is one compressed file, signed by the laptop that made it. Applying \
            a bundle twice, or bundles in any order, is harmless.
            """,
        subcommands: [BundleCreateCommand.self, BundleApplyCommand.self, BundleInspectCommand.self])
}

/// `gfmd bundle create`: writes a bundle file.
struct BundleCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Write this replica's changes to a bundle file.",
        discussion: """
            The body is sealed to the enrolled sites of the participant the bundle is for (--to PEER), \
            or of this replica's own participant (--all, a backup): only they can open it. Anyone can \
            still check who sent it and that it is intact. --plain writes it unsealed.
            """)

    @OptionGroup var replica: ReplicaOptions

    @Option(help: ArgumentHelp(
        "Include what this participant may read (its own and co-authored records, published ones, the certificates) and is not known to hold.",
        valueName: "peer"))
    var to: String?

    @Flag(help: "With --to: include everything the participant may read, even what it is known to hold.")
    var full = false

    @Flag(help: "Include every change this replica holds, sealed to this participant's own laptops (a backup, or another laptop; for the secretariat use --to SEC).")
    var all = false

    @Flag(help: "Write the body unsealed: anyone who holds the file can read it.")
    var plain = false

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write, or - for standard output.", valueName: "file"))
    var output: String

    func validate() throws {
        guard (to != nil) != all else {
            throw ValidationError("say what the bundle holds: --to PEER (what that participant may read, e.g. --to SEC) or --all")
        }
        if let to, ParticipantCode(to) == nil {
            throw ValidationError("\"\(to)\" is not a participant code: use e.g. SEC, PHL or IOM")
        }
        if full && to == nil {
            throw ValidationError("--full goes with --to PEER (--all already holds everything)")
        }
    }

    func run() throws {
        let replica = try replica.open()
        let line: String
        let bytes: [UInt8]
        let destination = output == "-" ? "standard output" : output
        let sealing: SealRecipients?
        var catchUp: String?
        if let to, let participant = ParticipantCode(to) {
            let bundle = try replica.createBundle(for: participant, full: full, sealed: !plain)
            bytes = bundle.bytes
            sealing = bundle.sealedFor
            try FileArgument.write(bytes, to: output)
            let what = bundle.isFull
                ? "\(Output.count(bundle.changeCount, "change")), everything \(participant) may read"
                : "\(Output.count(bundle.changeCount, "change")) \(participant) lacks, of \(try replica.readableChangeCount(for: participant)) it may read"
            line = "Wrote \(what), to \(destination) (\(bytes.count) bytes)"
            catchUp = Self.catchUp(bundle)
        } else {
            let own = ParticipantCode(replica.identity.participant)
            let bundle = try replica.createBundle(sealedFor: plain ? nil : own)
            bytes = bundle.bytes
            sealing = bundle.sealedFor
            try FileArgument.write(bytes, to: output)
            line = "Wrote \(Output.count(bundle.changeCount, "change")) to \(destination) (\(bytes.count) bytes)"
        }
        var lines = [line]
        if let catchUp { lines.append(catchUp) }
        if let sealing {
            lines.append("Sealed for \(sealing.participant): only its \(Output.count(sealing.sites.count, "site")) (\(sealing.sites.map(\.site.short).joined(separator: ", "))) can open it")
            if !sealing.withoutKey.isEmpty {
                let one = sealing.withoutKey.count == 1
                lines.append("Not for \(sealing.withoutKey.map(\.short).joined(separator: ", ")): \(one ? "its certificate binds" : "their certificates bind") no usable encryption key (issued by a gfmd before sealed bundles), so \(one ? "it" : "they") must make a new request and be certified again")
            }
        } else {
            lines.append("Unsealed (--plain): anyone who holds the file can read it")
        }
        // With the bundle on standard output, the report goes to standard error.
        for line in lines { if output == "-" { Output.note(line) } else { Output.line(line) } }
    }
}

extension BundleCreateCommand {
    /// Which of the recipient's sites the bundle is meant to catch up.
    static func catchUp(_ bundle: PeerBundle) -> String? {
        let sites = bundle.sites.map(\.short).sorted()
        switch sites.count {
        case 0: return nil
        case 1: return "For \(bundle.recipient)'s site \(sites[0])"
        default:
            return "For \(bundle.recipient)'s \(sites.count) sites (\(sites.joined(separator: ", "))), whichever opens it: the next bundle carries it again for each until it answers"
        }
    }
}

/// `gfmd bundle apply`: merges bundle files into the replica.
struct BundleApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Merge bundle files into this replica.",
        discussion: """
            Each file is checked (checksum, signatures, hashes) and applied in one step: \
            a damaged or forged file is refused and leaves the replica as it was. Changes \
            that depend on changes not yet received wait until those arrive. Several files \
            are committed together, about once a second: a file's line is printed once \
            it is on disk, and a file interrupted before (Ctrl-C, a power cut) is simply \
            applied when given again.
            """)

    @OptionGroup var replica: ReplicaOptions

    @OptionGroup var progress: ProgressOptions

    @Argument(help: ArgumentHelp("Bundle files to apply, in any order; - reads one from standard input.", valueName: "file"))
    var files: [String]

    func run() throws {
        let replica = try replica.open()
        let progress = progress.line()
        var failures = 0
        let files = files
        replica.applyBundles(files.count, read: { index in
            let file = files[index]
            return (try FileArgument.read(file), file == "-" ? nil : URL(fileURLWithPath: file).lastPathComponent)
        }, progress: progress.handler) { index, result in
            progress.clear()
            let file = files[index]
            switch result {
            case .success(let outcome):
                Output.line(outcome.summary(of: file, conflicts: "see `gfmd conflicts`"))
                if outcome.previouslyApplied == nil, let notice = outcome.copyNotice {
                    Output.note(CopyWarning.line(notice, site: replica.siteID))
                }
            case .failure(let error):
                failures += 1
                FileHandle.standardError.write(Data("gfmd: \(file): refused: \(error)\n".utf8))
            }
        }
        let pending = try replica.pending()
        if pending.count > 0 {
            let missing = pending.missing.prefix(3).map(\.short).joined(separator: ", ")
            Output.line("\(Output.count(pending.count, "change")) on \(Output.count(pending.records.count, "record")) wait for \(Output.count(pending.missing.count, "change")) not received yet (\(missing)\(pending.missing.count > 3 ? ", …" : "")): apply the bundles that hold them (`gfmd pending` lists them)")
        }
        if failures > 0 {
            throw ExitCode.failure
        }
    }
}

/// `gfmd bundle inspect`: describes and checks a bundle file without applying it.
struct BundleInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a bundle file and check every hash and signature, without applying it.",
        discussion: "A sealed bundle shows for whom it is; its body is opened and checked only on one of its recipients' replicas.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("The bundle file.", valueName: "file"))
    var file: String

    func run() throws {
        let inspection: BundleInspection
        do {
            // The replica's key opens a bundle sealed to it; without a replica, only the header is read.
            let opener = (try? replica.openForReading())?.bundleOpener
            inspection = try BundleInspection(file: try FileArgument.read(file), as: opener)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("\(file): \(error)")
        }
        if output.json {
            try Output.json(inspection)
        } else {
            Output.line("bundle     \(file) (\(inspection.fileSize) bytes; body \(inspection.bodySize) bytes, \(inspection.compressedSize) compressed)")
            Output.line("format     version \(inspection.version)")
            Output.line("sender     \(TextInput.printable(inspection.senderParticipant)), site \(inspection.sender.hex)\(inspection.senderCertified ? "" : " (no certificate in the header)")")
            Output.line("created    \(Output.time(inspection.created))")
            Output.line("checksum   \(inspection.checksum.hex)")
            if let seal = inspection.sealedFor {
                let sites = "\(Output.count(seal.sites.count, "site")): \(seal.sites.map(\.short).joined(separator: ", "))"
                Output.line("sealed     for \(TextInput.printable(seal.participant)) (\(sites)); \(inspection.opened ? "opened with this replica's key" : "not opened: this replica is not among them")")
            } else {
                Output.line("sealed     no: anyone who holds the file can read it")
            }
            guard inspection.opened else {
                Output.line("checks     checksum ok; sender signature ok; the body is not checked here")
                Output.line("verdict    intact and signed by its sender; only \(TextInput.printable(inspection.sealedFor?.participant ?? "")) can open it")
                return
            }
            if let knowledge = inspection.knowledge {
                let times = "the sender's times for \(Output.count(knowledge.sites, "site")) (\(knowledge.vouched) vouched)"
                if knowledge.recipient.isEmpty {
                    Output.line("for        any replica: everything its sender holds; \(times)")
                } else {
                    let what = knowledge.full ? "everything it may read" : "what it was not known to hold"
                    Output.line("for        \(TextInput.printable(knowledge.recipient)): \(what); \(times)")
                }
            }
            Output.line("changes    \(inspection.changeCount) in \(Output.count(inspection.commits.count, "commit")), on \(Output.count(inspection.recordCount, "record")), by \(inspection.participants.map(TextInput.printable).joined(separator: ", "))")
            if let earliest = inspection.earliest, let latest = inspection.latest {
                Output.line("made       \(Output.time(earliest)) to \(Output.time(latest))")
            }
            let verified = inspection.commits.filter(\.verified).count
            Output.line("checks     checksum ok; sender signature ok; \(verified)/\(inspection.commits.count) commit signatures and change hashes ok")
            for commit in inspection.commits where !commit.verified {
                Output.line("           commit by site \(commit.site.short): \(commit.problem ?? "does not verify")")
            }
            Output.line(inspection.allVerified ? "verdict    every hash and signature verifies" : "verdict    DOES NOT VERIFY: do not apply")
        }
        if !inspection.allVerified {
            throw ExitCode.failure
        }
    }
}
