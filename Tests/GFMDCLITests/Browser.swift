import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium (Debian's `chromium`, installed by
/// scripts/setup-system.sh) driven like a person: it loads pages, and a test
/// clicks at an element's place on the screen and types into the focused
/// field, through the DevTools protocol over the pipe Chromium opens with
/// `--remote-debugging-pipe` (JSON messages ended by a NUL byte, written to
/// its descriptor 3, read from its descriptor 4). One browser, one profile
/// of its own in the test's folder, one tab.
final class Browser {
    static let binary = "/usr/bin/chromium"
    /// How long a command or a page load may take.
    static let timeout: TimeInterval = 60

    private let process: pid_t
    private let commands: Int32
    private let replies: Int32
    private var received: [UInt8] = []
    private var nextID = 0
    private var session = ""

    /// Starts Chromium with its profile in `profile`, on a blank tab.
    init(profile: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw BrowserError("chromium is not installed: run scripts/setup-system.sh")
        }
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw BrowserError("no pipe for chromium") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Moved above 4 first, so that placing one on 3 or 4 cannot close the other.
        let read = fcntl(toBrowser[0], F_DUPFD, 10), write = fcntl(fromBrowser[1], F_DUPFD, 10)
        posix_spawn_file_actions_adddup2(&actions, read, 3)
        posix_spawn_file_actions_adddup2(&actions, write, 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // No sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
        let arguments = [Self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                         "--remote-debugging-pipe", "--user-data-dir=\(profile.path)", "--window-size=1280,900", "--hide-scrollbars",
                         "about:blank"]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = profile.path
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, Self.binary, &actions, nil, argv, envp)
        for descriptor in [toBrowser[0], fromBrowser[1], read, write] { close(descriptor) }
        guard status == 0 else { throw BrowserError("chromium did not start: \(String(cString: strerror(status)))") }
        process = pid
        commands = toBrowser[1]
        replies = fromBrowser[0]
        let targets = try send("Target.getTargets")["targetInfos"] as? [[String: Any]] ?? []
        guard let page = targets.first(where: { $0["type"] as? String == "page" })?["targetId"] as? String else {
            throw BrowserError("chromium opened no tab")
        }
        session = try send("Target.attachToTarget", ["targetId": page, "flatten": true])["sessionId"] as? String ?? ""
    }

    deinit {
        _ = try? send("Browser.close", browserWide: true)
        close(commands)
        close(replies)
        // Reaped, and killed if it has not gone within 10 s: a test never hangs on it.
        var status: Int32 = 0
        var reaped = false
        for _ in 0..<200 {
            if waitpid(process, &status, WNOHANG) != 0 {
                reaped = true
                break
            }
            usleep(50_000)
        }
        if !reaped {
            kill(process, SIGKILL)
            waitpid(process, &status, 0)
        }
    }

    // MARK: What a person does

    /// Loads `url` and waits until the page is there.
    func open(_ url: URL) throws {
        try leaving { _ = try send("Page.navigate", ["url": url.absoluteString]) }
    }

    /// Clicks the element `selector` names (the first), at the middle of where it is on the screen.
    func click(_ selector: String) throws {
        let place = try evaluate("""
            (() => { const e = document.querySelector(\(Self.quoted(selector)));
              if (!e) return null; e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();
              return [r.left + r.width / 2, r.top + r.height / 2]; })()
            """) as? [Double]
        guard let place, place.count == 2 else { throw BrowserError("no element \(selector) on \(try location())") }
        for type in ["mousePressed", "mouseReleased"] {
            _ = try send("Input.dispatchMouseEvent", ["type": type, "x": place[0], "y": place[1], "button": "left", "clickCount": 1])
        }
    }

    /// Clicks `selector` (a link or a button) and waits for the page it leads to.
    func follow(_ selector: String) throws {
        try leaving { try click(selector) }
    }

    /// Clicks into the field `selector` names, selects what it holds, and types `text` in its place.
    func type(_ text: String, into selector: String) throws {
        try click(selector)
        _ = try evaluate("document.activeElement.select && document.activeElement.select()")
        _ = try send("Input.insertText", ["text": text])
    }

    /// Clicks `selector` (a button that answers with a file) and waits for
    /// the file to be saved in `directory`; its path.
    func download(_ selector: String, into directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = try send("Browser.setDownloadBehavior", ["behavior": "allow", "downloadPath": directory.path], browserWide: true)
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        try click(selector)
        let deadline = Date().addingTimeInterval(Self.timeout)
        while Date() < deadline {
            let new = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)).subtracting(before)
            if let file = new.first(where: { !$0.hasSuffix(".crdownload") }) { return directory.appendingPathComponent(file) }
            usleep(50_000)
        }
        throw BrowserError("no file was downloaded by clicking \(selector)")
    }

    /// Chooses `files` in the file field `selector` names, as the file picker would.
    func choose(_ files: [URL], for selector: String) throws {
        let root = try send("DOM.getDocument")["root"] as? [String: Any]
        let node = try send("DOM.querySelector", ["nodeId": root?["nodeId"] as? Int ?? 0, "selector": selector])["nodeId"] as? Int ?? 0
        guard node != 0 else { throw BrowserError("no file field \(selector) on \(try location())") }
        _ = try send("DOM.setFileInputFiles", ["files": files.map(\.path), "nodeId": node])
    }

    /// The text the element `selector` names shows (nil: no such element).
    func text(_ selector: String) throws -> String? {
        try evaluate("(() => { const e = document.querySelector(\(Self.quoted(selector))); return e ? e.innerText : null; })()") as? String
    }

    /// The value of the form field `selector` names.
    func value(_ selector: String) throws -> String? {
        try evaluate("(() => { const e = document.querySelector(\(Self.quoted(selector))); return e ? e.value : null; })()") as? String
    }

    /// Loads `url`; its markup once loaded.
    func dom(_ url: URL) throws -> String {
        try open(url)
        return try dom()
    }

    /// What posting the form `fields` to `url` from the page shown returns,
    /// as a script on the page would post it (with the session's cookie):
    /// the status (0 for a redirection, which is not followed) and the text.
    /// The page is reloaded with its content security policy set aside
    /// (gfmd's pages allow no script to post), for as long as this takes.
    func post(_ url: URL, _ fields: [String: String]) throws -> (status: Int, text: String) {
        _ = try send("Page.setBypassCSP", ["enabled": true])
        defer { _ = try? send("Page.setBypassCSP", ["enabled": false]) }
        try leaving { _ = try send("Page.reload") }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        let reply = try evaluate("""
            fetch(\(Self.quoted(url.absoluteString)), {method: 'POST', redirect: 'manual', body: \(Self.quoted(body)),
                  headers: {'Content-Type': 'application/x-www-form-urlencoded'}}).then(async r => [r.status, await r.text()])
            """, awaitPromise: true) as? [Any]
        return (reply?.first as? Int ?? -1, reply?.last as? String ?? "")
    }

    /// The page's markup as the browser holds it now.
    func dom() throws -> String {
        try evaluate("document.documentElement.outerHTML") as? String ?? ""
    }

    /// The address of the page shown.
    func location() throws -> String {
        try evaluate("location.href") as? String ?? ""
    }

    /// A PNG of what the tab shows, written to `file`.
    func screenshot(to file: URL) throws {
        let data = try send("Page.captureScreenshot", ["format": "png"])["data"] as? String ?? ""
        guard let png = Data(base64Encoded: data) else { throw BrowserError("chromium sent no screenshot") }
        try png.write(to: file)
    }

    // MARK: The protocol

    /// Runs `action`, which leaves the page, and waits for the next one to be loaded.
    private func leaving(_ action: () throws -> Void) throws {
        _ = try evaluate("window.__gfmdLeaving = true")
        try action()
        let deadline = Date().addingTimeInterval(Self.timeout)
        while Date() < deadline {
            if try evaluate("window.__gfmdLeaving === undefined && document.readyState === 'complete'") as? Bool == true { return }
            usleep(20_000)
        }
        throw BrowserError("the page after \(try location()) did not load")
    }

    /// The value of JavaScript `expression` in the tab (JSON values; nil for undefined or null).
    private func evaluate(_ expression: String, awaitPromise: Bool = false) throws -> Any? {
        let reply = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": awaitPromise])
        if let exception = reply["exceptionDetails"] {
            // A page being replaced has no context to evaluate in for a moment.
            if "\(exception)".contains("context") { return nil }
            throw BrowserError("\(expression): \(exception)")
        }
        return (reply["result"] as? [String: Any])?["value"]
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast().description
    }

    /// Sends one command (to the tab, or to the browser) and returns its result.
    @discardableResult
    private func send(_ method: String, _ parameters: [String: Any] = [:], browserWide: Bool = false) throws -> [String: Any] {
        nextID += 1
        var message: [String: Any] = ["id": nextID, "method": method, "params": parameters]
        if !browserWide && !session.isEmpty { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message)) + [0]
        while !bytes.isEmpty {
            let written = Glibc.write(commands, bytes, bytes.count)
            guard written > 0 else { throw BrowserError("chromium stopped reading its commands") }
            bytes.removeFirst(written)
        }
        let deadline = Date().addingTimeInterval(Self.timeout)
        while true {
            if let end = received.firstIndex(of: 0) {
                let line = Array(received[..<end])
                received.removeFirst(end + 1)
                guard let reply = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], reply["id"] as? Int == nextID else { continue }
                if let error = reply["error"] { throw BrowserError("\(method): \(error)") }
                return reply["result"] as? [String: Any] ?? [:]
            }
            var ready = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard remaining > 0, poll(&ready, 1, remaining) > 0 else { throw BrowserError("chromium did not answer \(method)") }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = Glibc.read(replies, &chunk, chunk.count)
            guard count > 0 else { throw BrowserError("chromium exited during \(method)") }
            received += chunk[..<count]
        }
    }
}

/// Why driving the browser failed.
struct BrowserError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
