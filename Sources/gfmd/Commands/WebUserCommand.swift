import ArgumentParser
import Foundation
import GFMDCore
import GFMDReplica

/// `gfmd web-user`: the accounts that may read the hub's web pages.
struct WebUserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web-user",
        abstract: "Manage who may read the hub's web pages (on the hub's secretariat replica).",
        discussion: """
            Each account reads as one participant: a MEX auditor's account sees what MEX may \
            read (its own records, and the published version of the others), the secretariat's \
            sees everything. Accounts sign in with a link that works once, for a day; there are \
            no passwords to choose or forget.
            """,
        subcommands: [WebUserAddCommand.self, WebUserLinkCommand.self, WebUserListCommand.self, WebUserRemoveCommand.self])
}

/// `--hub URL`, to print whole sign-in links.
struct HubAddressOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The hub's address as its readers reach it, to print the whole link (https://hub.example.org:8443).", valueName: "url"))
    var hub: String?

    /// The link to send to `link`'s account.
    func address(of link: SignInLink) -> String {
        guard let hub else { return "https://HUB\(link.path) (give --hub URL to print the whole link)" }
        return (hub.hasSuffix("/") ? String(hub.dropLast()) : hub) + link.path
    }
}

/// Prints a sign-in link and how to use it.
private func show(_ link: SignInLink, _ hub: HubAddressOptions) {
    Output.line("Sign-in link for \(link.account.name), reading as \(link.account.participant), valid once until \(Output.time(HybridTimestamp(milliseconds: link.expires, counter: 0))):")
    Output.line("  \(hub.address(of: link))")
    Output.line("Send it to \(link.account.name) by a channel you trust; anyone holding it can sign in once.")
}

struct WebUserAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an account and print its first sign-in link.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var hub: HubAddressOptions
    @Argument(help: ArgumentHelp("The account's name (an e-mail address, say).", valueName: "name")) var name: String
    @Option(help: ArgumentHelp("The participant it reads as: SEC, or a delegation's code.", valueName: "code")) var participant: String

    func run() throws {
        guard let code = ParticipantCode(participant.uppercased()) else {
            throw CommandFailure("\"\(participant)\" is not a participant code (SEC, an ISO 3166 alpha-3 code such as PHL, or an organisation's)")
        }
        show(try replica.open().addWebAccount(name, participant: code), hub)
    }
}

struct WebUserLinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "link", abstract: "Print a new sign-in link for an account.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var hub: HubAddressOptions
    @Argument(help: ArgumentHelp("The account's name.", valueName: "name")) var name: String

    func run() throws {
        show(try replica.open().signInLink(for: name), hub)
    }
}

struct WebUserListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the accounts.")

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let accounts = try replica.openForReading().webAccounts()
        if output.json { return try Output.json(accounts) }
        if accounts.isEmpty { return Output.line("No web accounts: add one with `gfmd web-user add NAME --participant CODE`.") }
        for account in accounts {
            Output.line("\(Output.pad(account.name, 32)) \(Output.pad(account.participant, 4)) since \(account.created.prefix(10))")
        }
    }
}

struct WebUserRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an account; its sessions end at their next page.")

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The account's name.", valueName: "name")) var name: String

    func run() throws {
        guard try replica.open().removeWebAccount(name) else {
            throw CommandFailure("there is no web account \(TextInput.quoted(name)): `gfmd web-user list` lists them")
        }
        Output.line("Removed the web account \(name).")
    }
}
