import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

/// `gfmd verify`: checks that the replica's history is intact and that what it shows follows from it.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every hash and signature, and that the merged records follow from their history.",
        discussion: """
            For an auditor: hashes every change this replica holds again, checks every \
            commit signature, then replays all the changes into a fresh database (in the \
            temporary directory) and compares the log, the rejected and pending changes, \
            and every record with it. Anything altered outside gfmd is listed, and the \
            command fails.

            The trust it verifies against is the secretariat root key this replica \
            pinned at enrolment: compare the fingerprint printed with the one the \
            secretariat publishes.
            """)

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progress: ProgressOptions

    /// The JSON form of a verification.
    struct VerificationJSON: Encodable {
        let intact: Bool
        let root: SiteID
        let changes: Int
        let commits: Int
        let records: Int
        let digest: String
        let replayedDigest: String
        let problems: [ProblemJSON]
    }

    /// The JSON form of one problem.
    struct ProblemJSON: Encodable {
        let kind: String
        let subject: String
        let detail: String
    }

    func run() throws {
        let progress = progress.line()
        let verification = try replica.openForReading().verify(progress: progress.handler)
        progress.clear()
        if output.json {
            try Output.json(VerificationJSON(
                intact: verification.isIntact, root: verification.root, changes: verification.changes,
                commits: verification.commits, records: verification.records, digest: verification.digest,
                replayedDigest: verification.replayedDigest,
                problems: verification.problems.map { ProblemJSON(kind: $0.kind.rawValue, subject: $0.subject, detail: $0.detail) }))
        } else {
            Output.line("root       secretariat key \(verification.root.hex)")
            Output.line("checked    \(Output.count(verification.changes, "change")) hashed, \(Output.count(verification.commits, "commit signature")), \(Output.count(verification.records, "record")) replayed")
            Output.line("digest     \(verification.digest)")
            for problem in verification.problems {
                Output.line("problem    \(problem.kind.rawValue) \(String(problem.subject.prefix(12))): \(problem.detail)")
            }
            Output.line(verification.isIntact
                ? "verdict    intact: every hash and signature verifies and the records equal a fresh replay"
                : "verdict    NOT INTACT: this replica was altered outside gfmd")
        }
        if !verification.isIntact {
            throw CommandFailure("verification failed: \(Output.count(verification.problems.count, "problem")) found")
        }
    }
}
