import HTTPTypes
package import Hummingbird
import NIOCore

/// The responses of gfmd's web pages: HTML that no other site may frame,
/// that is never cached or sniffed, and that runs no script; redirections
/// after a form.
package enum WebResponse {
    /// A redirection to `location`, to be fetched with GET (after a form's POST).
    package static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// An HTML page with headers that keep it from being framed, cached or sniffed.
    package static func html(_ status: Int, _ page: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
