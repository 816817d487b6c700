import Foundation

/// Reading what a page shows from its DOM.
enum PageText {
    /// The text of the element with `id`, tags removed, entities decoded, spaces collapsed.
    static func element(_ id: String, in dom: String) -> String? {
        guard let start = dom.range(of: "id=\"\(id)\"") else { return nil }
        guard let open = dom[start.upperBound...].firstIndex(of: ">") else { return nil }
        let tag = dom[..<start.lowerBound].split(separator: "<").last?.split(separator: " ").first.map(String.init) ?? "p"
        guard let close = dom[open...].range(of: "</\(tag)>") else { return nil }
        return text(String(dom[dom.index(after: open)..<close.lowerBound]))
    }

    /// The cells of each body row of the table with `id`, as text.
    static func rows(_ id: String, in dom: String) -> [[String]] {
        guard let start = dom.range(of: "<table id=\"\(id)\">"),
              let body = dom[start.upperBound...].range(of: "<tbody>"),
              let end = dom[body.upperBound...].range(of: "</tbody>") else { return [] }
        return dom[body.upperBound..<end.lowerBound].components(separatedBy: "<tr>").dropFirst().map { row in
            row.components(separatedBy: "<td>").dropFirst().map { text(String($0.components(separatedBy: "</td>")[0])) }
        }
    }

    /// Markup as the reader sees it.
    static func text(_ html: String) -> String {
        var out = "", inTag = false
        for character in html {
            if character == "<" { inTag = true; out += " " } else if character == ">" { inTag = false } else if !inTag { out.append(character) }
        }
        out = out.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
