package import Foundation
package import GFMDReplica
import GFMDCore
import Hummingbird
import HTTPTypes
package import Logging
import NIOCore
import Synchronization

/// `gfmd ui`: this laptop's replica in the browser, for officers who never
/// open a terminal (README, "In the browser").
///
/// It listens on the loopback address only, and trusts nobody it did not
/// give its launch secret to: the first address it prints carries the
/// secret, which the browser exchanges for a session cookie (`HttpOnly`,
/// `SameSite=Strict`) named after the port; every other request without that
/// cookie is refused, every form carries the session's CSRF token, and a
/// request whose `Host` is not this address and port is refused (a web page
/// elsewhere cannot reach it by rebinding a name to 127.0.0.1). The pages
/// run no script and load nothing from the network.
package struct LocalUI: Sendable {
    let replica: Replica
    let logger: Logger
    /// The secret of the first address, for this launch.
    let launchSecret: String
    /// The session cookie's value, for this launch.
    let sessionToken: String
    /// Where the hub's sync client finds the authority of the hub's TLS certificate.
    let ca: URL?
    private let port = ListeningPort()
    let queue = DispatchQueue(label: "gfmd.ui", qos: .userInitiated)

    package init(replica: Replica, ca: URL? = nil, logger: Logger = Logger(label: "gfmd.ui")) {
        self.replica = replica
        self.ca = ca
        self.logger = logger
        launchSecret = Self.randomHex()
        sessionToken = Self.randomHex()
    }

    /// Serves on 127.0.0.1:`port` (0: a free port) until the task is
    /// cancelled; `onListening` is given the first address, secret included.
    package func run(port requested: Int, onListening: @escaping @Sendable (URL) -> Void) async throws {
        let router = Router()
        router.add(middleware: LocalGuard(ui: self))
        LocalRoutes(ui: self).register(on: router)
        let secret = launchSecret
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: requested), serverName: "gfmd ui"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                port.value.withLock { $0 = bound }
                onListening(URL(string: "http://127.0.0.1:\(bound)/?launch=\(secret)")!)
            },
            logger: logger)
        try await app.run()
    }

    /// The port the server listens on (0 before it does).
    var listeningPort: Int { port.value.withLock { $0 } }

    /// The session cookie's name: cookies do not tell ports apart, and two
    /// replicas may be open in one browser.
    var cookieName: String { "gfmd_ui_\(listeningPort)" }

    /// What this laptop's pages show of the replica: all its participant may read.
    func scope() throws -> ReaderScope {
        try replica.scope(for: replica.identity.participant)
    }

    /// The CSRF token of this launch's session.
    var csrf: String { Hash256.of(Array("gfmd ui form \(sessionToken)".utf8)).hex }

    /// Runs blocking replica work off the threads that serve connections.
    func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await BlockingWork.run(on: queue, work)
    }

    private static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// What every request to `gfmd ui` passes first: the `Host` check, then the
/// launch secret's exchange for the session cookie, then the cookie itself.
struct LocalGuard<Context: RequestContext>: RouterMiddleware {
    let ui: LocalUI

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let port = ui.listeningPort
        guard let host = request.head.authority, ["127.0.0.1:\(port)", "localhost:\(port)"].contains(host.lowercased()) else {
            return WebResponse.html(403, LocalPages.refusal(
                "This address is served to this computer only (127.0.0.1:\(port)): the request named another host."))
        }
        if request.uri.path == "/", let launch = request.uri.queryParameters.get("launch") {
            guard launch == ui.launchSecret else {
                return WebResponse.html(403, LocalPages.refusal("This is not the address gfmd ui printed for this launch: open that one."))
            }
            var response = WebResponse.redirect("/")
            response.headers[values: .setCookie].append("\(ui.cookieName)=\(ui.sessionToken); Path=/; HttpOnly; SameSite=Strict")
            return response
        }
        guard request.cookies[ui.cookieName]?.value == ui.sessionToken else {
            return WebResponse.html(403, LocalPages.refusal(
                "Open the address gfmd ui printed when it started (it carries this launch's secret); restarting gfmd ui prints a new one."))
        }
        do {
            return try await next(request, context)
        } catch let tooLarge as LocalRoutes.TooLarge {
            return tooLarge.page
        }
    }
}

/// The port the server was given, once it listens (shared by the copies of a ``LocalUI``).
private final class ListeningPort: Sendable {
    let value = Mutex(0)
}
