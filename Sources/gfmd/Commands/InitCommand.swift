import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica
import GFMDStore

/// `gfmd init`: creates this laptop's replica and signing key.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the replica on this laptop, with its own signing key.",
        discussion: """
            Run once per laptop. A delegation names its ISO 3166-1 alpha-3 code \
            (or an organisation's code such as IOM); the secretariat uses --secretariat.
            """)

    @OptionGroup var replica: ReplicaOptions

    @Option(help: ArgumentHelp("Your delegation's code, e.g. PHL (ISO 3166-1 alpha-3) or IOM.", valueName: "code"))
    var delegation: String?

    @Flag(help: "Create the secretariat's replica (participant SEC).")
    var secretariat = false

    @Option(help: ArgumentHelp("Your name, recorded on every change you make.", valueName: "name"))
    var author: String

    func validate() throws {
        guard (delegation != nil) != secretariat else {
            throw ValidationError("give either --delegation CODE or --secretariat")
        }
        if let delegation {
            guard let code = ParticipantCode(delegation) else {
                throw ValidationError("\"\(delegation)\" is not a participant code: use an ISO 3166-1 alpha-3 code such as PHL, or an organisation such as IOM")
            }
            guard code != .secretariat else {
                throw ValidationError("the secretariat's replica is created with --secretariat")
            }
        }
    }

    func run() throws {
        let participant = secretariat ? ParticipantCode.secretariat : ParticipantCode(delegation!)!
        let created = try Replica.create(at: replica.directory, participant: participant, author: author)
        Output.line("Created the replica of \(participant) (\(participant.participant.name)) in \(created.directory.path)")
        Output.line("Site \(created.siteID.hex), author \(created.identity.author)")
    }
}
