import Foundation
import GFMDTestSupport
import Testing

/// Files, pipes, links, arguments and replica folders, as careless hands and
/// auditors use them.
@Suite("Files, arguments and the replica folder")
struct FilesCLITests {
    let cli = CLI()
    let id: String

    init() throws {
        try cli.enrolled("laptop", "PHL", author: "Maria Santos")
        id = try cli.ok("laptop", "new", "practice", "--title", "Diaspora bonds").output
        try cli.ok("laptop", "add", id, "partners", "IOM")
    }

    @Test("-o - writes the bundle to standard output and bundle apply - reads one from standard input")
    func standardStreams() throws {
        let created = try cli.run(["bundle", "create", "--all", "-o", "-", "--replica", "laptop"])
        #expect(created.status == 0 && created.stdout.hasPrefix("GFMDBNDL") && created.stderr.contains("to standard output"))
        try cli.enrolled("sec2", "SEC", author: "Ana Lopez", role: "secretariat")
        // Plain: the laptop, enrolled before sec2, could not seal a bundle to it yet.
        try cli.ok("laptop", "bundle", "create", "--all", "--plain", "-o", "file.gfmd")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: cli.path("file.gfmd"))))
        let fromStdin = try cli.run(["bundle", "apply", "-", "--replica", "sec2"], input: bytes)
        #expect(fromStdin.status == 0 && fromStdin.stdout.contains("new change"), "\(fromStdin.stderr)")
        #expect(try cli.ok("sec2", "show", id).stdout.contains("Diaspora bonds"))
        let text = try cli.run(["write", id, "summary", "--file", "-", "--replica", "laptop"], input: Array("Bonds for the diaspora.\n".utf8))
        #expect(text.status == 0, "\(text.stderr)")
        #expect(try cli.ok("laptop", "show", id).stdout.contains("Bonds for the diaspora."))
    }

    @Test("-o through a symbolic link keeps the link and replaces its target; a FIFO is written through, never replaced")
    func nonRegularOutputs() throws {
        try Data("old".utf8).write(to: URL(fileURLWithPath: cli.path("target.gfmd")))
        try FileManager.default.createSymbolicLink(atPath: cli.path("link.gfmd"), withDestinationPath: cli.path("target.gfmd"))
        try cli.ok("laptop", "bundle", "create", "--all", "-o", "link.gfmd")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: cli.path("link.gfmd")) == cli.path("target.gfmd"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.path("target.gfmd"))).starts(with: Array("GFMDBNDL".utf8)))

        let fifo = cli.path("pipe.gfmd")
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = LockedBytes()
        let reader = Thread {
            if let handle = FileHandle(forReadingAtPath: fifo) {
                received.set([UInt8](handle.readDataToEndOfFile()))
            }
        }
        reader.start()
        try cli.ok("laptop", "bundle", "create", "--all", "-o", "pipe.gfmd")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO is still a FIFO")
        let deadline = Date().addingTimeInterval(30)
        while received.get() == nil, Date() < deadline { usleep(10_000) }
        if received.get() == nil {
            // Nothing came through the FIFO: release the reader rather than hang.
            FileHandle(forWritingAtPath: fifo)?.closeFile()
        }
        #expect(received.get()?.starts(with: Array("GFMDBNDL".utf8)) == true, "the bundle came through the FIFO")
        try cli.refused("laptop", ["bundle", "create", "--all", "-o", "."], mentioning: "is a folder")
    }

    @Test("an argument that is not UTF-8 is refused, not recorded with U+FFFD")
    func invalidUTF8Argument() throws {
        let before = try cli.digest("laptop")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // printf writes the byte 0xE9 (é in Latin-1), which is not UTF-8 on its own.
        process.arguments = ["-c", "\"$0\" set \"$1\" title \"Caf$(printf '\\351')\" --replica laptop", CLI.binary.path, id]
        process.currentDirectoryURL = cli.directory.url
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(message.hasPrefix("gfmd: argument 4 is not valid UTF-8"), "\(message)")
        #expect(try cli.digest("laptop") == before)
    }

    @Test("a text over the 1 MiB limit is refused at once, from a file or from standard input")
    func textLimit() throws {
        let before = try cli.digest("laptop")
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: (1 << 20) + 1)
        try Data(big).write(to: URL(fileURLWithPath: cli.path("big.txt")))
        try cli.refused("laptop", ["write", id, "summary", "--file", "big.txt"], mentioning: "more than the limit of 1048576 bytes")
        let piped = try cli.run(["write", id, "summary", "--file", "-", "--replica", "laptop"], input: big)
        #expect(piped.status != 0 && piped.stderr.contains("more than the limit"), "\(piped.stderr)")
        #expect(try cli.digest("laptop") == before)
    }

    @Test("init where the replica path is a file says so")
    func initOnFile() throws {
        try Data("notes".utf8).write(to: URL(fileURLWithPath: cli.path("notes.txt")))
        try cli.refused("notes.txt", ["init", "--delegation", "PHL", "--author", "A"], mentioning: "is a file, not a folder")
        #expect(try String(contentsOfFile: cli.path("notes.txt"), encoding: .utf8) == "notes")
    }

    @Test("an auditor's read-only copy, without the site key, can be read; nothing is written to it")
    func readOnlyCopy() throws {
        try cli.ok("laptop", "set", id, "contact", "Desk A")
        let digest = try cli.digest("laptop")
        let copy = cli.path("audit-copy")
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        for name in try FileManager.default.contentsOfDirectory(atPath: cli.path("laptop")) where name != "site.key" {
            try FileManager.default.copyItem(atPath: cli.path("laptop") + "/" + name, toPath: copy + "/" + name)
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: copy) {
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: copy + "/" + name)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: copy)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy) }
        let files = try FileManager.default.contentsOfDirectory(atPath: copy).sorted()
        func read(_ arguments: String...) throws -> CLI.Result {
            let result = try cli.run(arguments + ["--replica", copy], unprivileged: true)
            #expect(result.status == 0, "gfmd \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        #expect(try read("digest").output == digest)
        #expect(try read("list").stdout.contains("Diaspora bonds"))
        #expect(try read("show", id).stdout.contains("Desk A"))
        #expect(try read("log", id).status == 0)
        #expect(try read("conflicts").output == "No conflicts.")
        #expect(try read("rejected").output == "No rejected changes.")
        #expect(try read("pending").output == "Nothing is pending.")
        #expect(try read("verify").stdout.contains("intact"))
        // The auditor's database is written elsewhere, from the copy as it is.
        let out = cli.path("auditor")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        let audit = try read("audit-db", out + "/audit.sqlite").stdout
        #expect(audit.hasPrefix("Wrote \(out)/audit.sqlite: 5 changes"), "\(audit)")
        let write = try cli.run(["set", id, "contact", "Desk B", "--replica", copy], unprivileged: true)
        #expect(write.status != 0 && write.stderr.hasPrefix("gfmd: ") && write.stderr.split(separator: "\n").count == 1, "\(write.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: copy).sorted() == files, "nothing was written beside the copy")
    }
}

/// Bytes handed from one thread to another.
final class LockedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8]?

    func set(_ value: [UInt8]) { lock.withLock { bytes = value } }
    func get() -> [UInt8]? { lock.withLock { bytes } }
}
