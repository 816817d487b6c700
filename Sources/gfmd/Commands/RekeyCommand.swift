import ArgumentParser
import Foundation
import GFMDCore
import GFMDReplica

/// `gfmd rekey`: moves a copied replica folder to a site of its own.
struct RekeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rekey",
        abstract: "Give this replica a new site key, when its folder was copied to (or restored on) another computer.",
        discussion: """
            Writes the enrolment request of a new site for this replica, to send to the \
            secretariat. Until `gfmd enroll CERT` installs the certificate that comes back, \
            this replica keeps signing as its old site, so nothing waits; from then on it \
            signs as the new site, and every change it made before still travels and counts. \
            Run it on one of the two computers only. With --dismiss, forgets the warning on \
            the computer that keeps the old site, once the other has moved.
            """)

    @OptionGroup var replica: ReplicaOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The request file to write.", valueName: "file"))
    var output: String?

    @Flag(help: "Forget the warning that this site is in use elsewhere: the other copy moved to a new site.")
    var dismiss = false

    func validate() throws {
        guard dismiss != (output != nil) else {
            throw ValidationError("give either -o FILE (the new site's request) or --dismiss")
        }
    }

    func run() throws {
        let replica = try replica.open()
        if dismiss {
            try replica.dismissCopyNotice()
            Output.line("Forgot the warning: site \(replica.siteID.short) is this computer's alone")
            return
        }
        let request = try replica.nextSiteRequest()
        try FileArgument.write(request.encoded, to: output!)
        Output.line("Wrote the enrolment request of new site \(request.siteKey.siteID.hex) (\(request.participant), \(request.author)) to \(output!)")
        Output.line("This replica signs as site \(replica.siteID.short) until `gfmd enroll CERT` installs the new site's certificate; send the request to the secretariat")
    }
}
