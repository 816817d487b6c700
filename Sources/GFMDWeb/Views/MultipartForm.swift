import Foundation

/// The files of a form posted as `multipart/form-data` (RFC 7578): the
/// bundle files an officer uploads, several at once.
package struct MultipartForm {
    /// One part: its field name, the file name it was sent with, its bytes.
    package struct Part {
        package let name: String
        package let fileName: String?
        package let bytes: [UInt8]
    }

    package let parts: [Part]

    /// Parses `body`, whose `Content-Type` header is `contentType`; nil when
    /// it is not a well-formed multipart body.
    package init?(_ body: [UInt8], contentType: String) {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundaryParameter = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
                  .first(where: { $0.lowercased().hasPrefix("boundary=") }) else { return nil }
        let boundary = Array(("--" + boundaryParameter.dropFirst("boundary=".count).trimmingCharacters(in: ["\""])).utf8)
        let data = Data(body)
        var parts: [Part] = []
        guard var start = data.range(of: Data(boundary))?.upperBound else { return nil }
        while true {
            // After a delimiter: "--" ends the body, else CRLF and a part.
            if data[start...].starts(with: Data("--".utf8)) { break }
            guard data[start...].starts(with: Data("\r\n".utf8)) else { return nil }
            start += 2
            guard let headerEnd = data.range(of: Data("\r\n\r\n".utf8), in: start..<data.endIndex),
                  let next = data.range(of: Data("\r\n".utf8) + Data(boundary), in: headerEnd.upperBound..<data.endIndex) else { return nil }
            let headers = String(decoding: data[start..<headerEnd.lowerBound], as: UTF8.self)
            guard let disposition = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                  let name = Self.parameter("name", in: String(disposition)) else { return nil }
            parts.append(Part(name: name, fileName: Self.parameter("filename", in: String(disposition)),
                              bytes: [UInt8](data[headerEnd.upperBound..<next.lowerBound])))
            start = next.upperBound
        }
        self.parts = parts
    }

    /// The quoted value of `parameter` in a `Content-Disposition` header.
    private static func parameter(_ parameter: String, in header: String) -> String? {
        guard let range = header.range(of: "; \(parameter)=\"") else { return nil }
        let rest = header[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}
