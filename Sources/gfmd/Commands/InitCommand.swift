import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

/// `gfmd init`: creates this laptop's replica and signing key.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the replica on this laptop, with its own signing key.",
        discussion: """
            Run once per laptop. A delegation names its ISO 3166-1 alpha-3 code \
            (or an organisation's code such as IOM), then asks the secretariat to enrol \
            the laptop: `gfmd request -o FILE`, and `gfmd enroll CERT` with the answer.

            --secretariat creates the secretariat's first replica and its root key, which \
            certifies every laptop; it is enrolled at once. Further secretariat laptops use \
            --delegation SEC and are enrolled like any other.
            """)

    @OptionGroup var replica: ReplicaOptions

    @Option(help: ArgumentHelp("Your delegation's code, e.g. PHL (ISO 3166-1 alpha-3) or IOM.", valueName: "code"))
    var delegation: String?

    @Flag(help: "Create the secretariat's first replica and its root key (participant SEC).")
    var secretariat = false

    @Option(help: ArgumentHelp("Your name, recorded on every change you make.", valueName: "name"))
    var author: String

    func validate() throws {
        guard (delegation != nil) != secretariat else {
            throw ValidationError("give either --delegation CODE or --secretariat")
        }
        if let delegation, ParticipantCode(delegation) == nil {
            throw ValidationError("\"\(delegation)\" is not a participant code: use an ISO 3166-1 alpha-3 code such as PHL, or an organisation such as IOM")
        }
    }

    func run() throws {
        if secretariat {
            let created = try Replica.createSecretariat(at: replica.directory, author: author)
            let root = try created.pinnedRoot()
            Output.line("Created the secretariat's replica and root key in \(created.directory.path)")
            Output.line("Site \(created.siteID.hex), author \(created.identity.author), enrolled as secretariat")
            Output.line("Root key fingerprint \(root?.siteID.hex ?? "?"): give it to every delegation to check at enrolment")
            Output.line("Keep \(created.rootKeyFile?.path ?? "the root key") safe: it certifies every laptop")
        } else {
            let participant = ParticipantCode(delegation!)!
            let created = try Replica.create(at: replica.directory, participant: participant, author: author)
            Output.line("Created the replica of \(participant) (\(participant.participant.name)) in \(created.directory.path)")
            Output.line("Site \(created.siteID.hex), author \(created.identity.author)")
            Output.line("Next: `gfmd request -o \(participant.rawValue.lowercased())-request.gfmdreq`, send the file to the secretariat, and run `gfmd enroll CERT` with its answer")
        }
    }
}
