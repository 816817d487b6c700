import ArgumentParser
import Foundation
import Logging

/// The `gfmd` command: offline drafting, merging and auditing of GFMD submissions.
@main
struct GFMD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gfmd",
        abstract: "Prepare GFMD submissions offline, exchange them as bundle files, and merge them without losing an edit.",
        discussion: """
            Each laptop holds a replica: a folder with a database of the records this \
            delegation may see and the laptop's signing key. Edit records offline; \
            exchange bundle files (USB stick, e-mail) with colleagues and the secretariat; \
            every replica that holds the same changes shows the same records.

            The replica is the folder given by --replica, else $GFMD_REPLICA, else \
            ~/.local/share/gfmd.

            First steps:
              gfmd init --delegation PHL --author "Maria Santos"
              gfmd request -o phl-request.gfmdreq     # send it to the secretariat
              gfmd enroll phl-cert.gfmd                # its answer
              ID=$(gfmd new practice --title "Diaspora bonds")
              gfmd add $ID partners IOM
              gfmd submit $ID
              gfmd bundle create --to SEC -o phl-laptop1.gfmd
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, NewCommand.self, SetCommand.self, WriteCommand.self, AddCommand.self, RemoveCommand.self,
            ShowCommand.self, ListCommand.self, ConflictsCommand.self, ResolveCommand.self,
            DeleteCommand.self, RestoreCommand.self, SubmitCommand.self, WithdrawCommand.self, ReviewCommand.self, SettleCommand.self,
            LogCommand.self, BlameCommand.self, DigestCommand.self, VerifyCommand.self, AuditDatabaseCommand.self, RejectedCommand.self, PendingCommand.self, BundleCommand.self,
            StatusCommand.self, SyncCommand.self, UICommand.self, ServeCommand.self, ExportCommand.self,
            RequestCommand.self, CertifyCommand.self, EnrollCommand.self, RekeyCommand.self, RevokeCommand.self, SitesCommand.self, WebUserCommand.self,
        ])

    /// Runs the command, reporting any failure as one line on standard error.
    static func main() async {
        bootstrapLogging()
        // Swift replaces invalid UTF-8 in arguments with U+FFFD: a title or
        // file name typed in another encoding would be recorded altered.
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index], String(validatingCString: raw) == nil else { continue }
            FileHandle.standardError.write(Data("gfmd: argument \(index) is not valid UTF-8 text (was it typed in another encoding?): nothing was done\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        let arguments = CommandLineHabits.normalised(Array(CommandLine.arguments.dropFirst()))
        if let help = CommandLineHabits.typeHelp(arguments) {
            print(help)
            return
        }
        let commands = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        if let refusal = CommandLineHabits.unknownCommand(arguments, known: commands) {
            FileHandle.standardError.write(Data("gfmd: \(refusal)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            // The command already reported what went wrong.
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help, --version
            }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            let cleaned = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
            FileHandle.standardError.write(Data("gfmd: \(cleaned)\n".utf8))
            Foundation.exit(code == .validationFailure ? code.rawValue : 1)
        }
    }

    /// Sends log messages to standard error at the level named by
    /// `$GFMD_LOG_LEVEL` (trace, debug, info, notice, warning, error, critical),
    /// warnings and above by default so that normal output stays clean.
    private static func bootstrapLogging() {
        let level = ProcessInfo.processInfo.environment["GFMD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
