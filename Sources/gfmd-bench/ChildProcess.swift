import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process started with `posix_spawn`, its standard output in a pipe.
///
/// W5 starts hubs (and `wrk`) while it holds thousands of descriptors (a
/// thousand replicas, idle connections); Foundation's `Process.run` on
/// Linux lists `/proc/self/fd` into a fixed buffer and reads past it when
/// the listing fills it, crashing the benchmark (swift-corelibs-foundation
/// pull request 5472). The child inherits no descriptor of W5's: each is
/// opened close-on-exec (SQLite, SwiftNIO, the idle connections, this pipe).
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    /// The read end of its standard output.
    let output: FileHandle
    private var status: Int32?

    /// Starts `executable` with `arguments`; standard error is shared, or discarded with `quiet`.
    init(_ executable: String, _ arguments: [String], quiet: Bool = false) throws {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw BenchFailure("cannot make a pipe: \(String(cString: strerror(errno)))") }
        for end in pipe { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], STDOUT_FILENO)
        if quiet { posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(pipe[1])
        guard result == 0 else {
            close(pipe[0])
            throw BenchFailure("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        output = FileHandle(fileDescriptor: pipe[0], closeOnDealloc: true)
    }

    /// Whether it has not ended.
    var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
        return status == nil
    }

    /// Sends `signal`.
    func signal(_ signal: Int32) {
        _ = kill(pid, signal)
    }

    /// Waits until it ends and returns its exit status (128 + the signal when one ended it).
    @discardableResult
    func wait() -> Int32 {
        if status == nil {
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
            status = raw
        }
        let raw = status!
        return raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
    }
}
