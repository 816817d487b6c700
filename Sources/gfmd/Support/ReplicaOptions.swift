import ArgumentParser
import Foundation
import GFMDReplica
import GFMDCore

/// `--replica DIR`, shared by every command.
struct ReplicaOptions: ParsableArguments {
    @Option(name: .customLong("replica"), help: ArgumentHelp(
        "The replica folder (default: $GFMD_REPLICA, else ~/.local/share/gfmd).", valueName: "dir"))
    var path: String?

    /// The replica folder this command works on.
    var directory: URL {
        if let path { return URL(fileURLWithPath: path) }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["GFMD_REPLICA"], !path.isEmpty { return URL(fileURLWithPath: path) }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty {
            return URL(fileURLWithPath: data).appendingPathComponent("gfmd")
        }
        #if os(macOS)
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent("Library/Application Support/gfmd")
        #else
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/gfmd")
        #endif
    }

    /// Opens the replica, to change it.
    func open() throws -> Replica {
        try Replica.open(at: directory)
    }

    /// Opens the replica for a command that only reads: it writes nothing,
    /// so a read-only copy (an auditor's) can be inspected.
    func openForReading() throws -> Replica {
        try Replica.open(at: directory, access: .readOnly)
    }
}

/// `--json`, shared by every read command.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print machine-readable JSON instead of text.")
    var json = false
}
