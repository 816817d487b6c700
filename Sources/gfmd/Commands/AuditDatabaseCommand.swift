import ArgumentParser
import Foundation
import GFMDReplica
import GFMDCore

/// `gfmd audit-db`: the replica's database as an auditor queries it, field history included.
struct AuditDatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-db",
        abstract: "Write a copy of the replica's database for auditors, with the history of every field.",
        discussion: """
            The copy is one SQLite file for the sqlite3 shell: the replica's tables and \
            audit views as they stand, and the audit_field_history view (who changed \
            which field, when, from where, through which bundle), derived from the signed \
            changes; the replica does not keep it. The replica is only read, so a \
            read-only copy handed to you works too. Protocol/storage.md has the queries.
            """)

    @OptionGroup var replica: ReplicaOptions

    @Argument(help: ArgumentHelp("The file to write; it must not exist yet.", valueName: "file"))
    var file: String

    func run() throws {
        let destination = URL(fileURLWithPath: file)
        let report = try replica.openForReading().writeAuditDatabase(to: destination)
        print("Wrote \(destination.path): \(report.changes) change\(report.changes == 1 ? "" : "s"), \(report.operations) field operation\(report.operations == 1 ? "" : "s")")
        print("Open it with: sqlite3 -readonly \(destination.path)")
    }
}
