import ArgumentParser
import Foundation
import GFMDCore
import GFMDHubClient
import GFMDReplica

/// `gfmd sync [URL ...]`: one push-and-pull exchange with the secretariat's
/// hub, trying the next address when one does not answer.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync with the secretariat's hub: push what it lacks, receive what this delegation may read.",
        discussion: """
            Signs each request with this laptop's site key and checks that the answers \
            come from the secretariat this replica is enrolled with. An interrupted sync \
            resumes where it stopped: run it again. A hub out of reach (restarting) is \
            tried again 5 times over about half a minute; a busy one (503, a meeting's \
            morning) for up to 10 minutes, each wait said on standard error, drawn at \
            random so that a roomful of laptops does not return at once. Given several \
            addresses (a hub and its standby), the next is tried when one does not answer \
            (an address out of reach is then tried twice); given none, the addresses of \
            earlier syncs, the latest first.
            """)

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var progress: ProgressOptions
    @Argument(help: ArgumentHelp("The hub's address, such as https://hub.example.org:8443, then any standby's (default: those of earlier syncs).",
                                 valueName: "url")) var urls: [String] = []
    @Option(help: ArgumentHelp("A PEM file of the authority that signed the hub's TLS certificate (default: the system's).", valueName: "file"))
    var ca: String?

    func validate() throws {
        for url in urls {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                throw ValidationError("\"\(url)\" is not a hub address: give http://HOST:PORT or https://HOST:PORT")
            }
        }
    }

    func run() async throws {
        let replica = try replica.open()
        let addresses = urls.isEmpty ? try replica.hubAddresses() : urls
        guard !addresses.isEmpty else {
            throw CommandFailure("give the hub's address (gfmd sync https://HOST:PORT): this replica never synced with one")
        }
        let progress = progress.line()
        let urls = try addresses.map { address in
            guard let url = URL(string: address) else { throw CommandFailure("\"\(address)\" is not a hub address") }
            return url
        }
        let (report, address): (HubSyncReport, URL)
        do {
            // Waits are told even when piped: a sync waiting minutes for a busy hub must not look hung.
            (report, address) = try await HubFailover.sync(
                replica, addresses: urls, ca: ca.map { URL(fileURLWithPath: $0) }, progress: { progress.say($0) },
                waiting: { Output.note("gfmd sync: \($0)") },
                passing: { from, reason, to in Output.note("gfmd sync: \(from.absoluteString) does not answer (\(reason)); trying \(to.absoluteString)") })
        } catch let error as HubSyncError {
            throw CommandFailure(error.reason)
        }
        if let notice = report.copyNotice { Output.note(CopyWarning.line(notice, site: replica.siteID)) }
        Output.line("In sync with the hub (site \(report.hub.site.short), \(report.hub.participant)\(addresses.count > 1 ? ", at \(address.absoluteString)" : "")): pushed \(Output.count(report.sent, "change")), received \(Output.count(report.received, "new change")) in \(Output.count(report.rounds, "round")).")
    }
}
