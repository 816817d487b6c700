package import GFMDCore

/// Server-rendered HTML: every value written into a page goes through
/// ``escape(_:)``; markup is written by the pages themselves.
package enum HTML {
    /// `text` with the five characters that HTML gives a meaning escaped.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A table with a header row and rows of cells already written as HTML.
    package static func table(id: String, _ headers: [String], _ rows: [[String]], empty: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\" id=\"\(id)-empty\">\(escape(empty))</p>" }
        let head = headers.map { "<th>\(escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table id=\"\(id)\"><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    /// A time as people read it: `2026-11-26 15:56 UTC`.
    package static func time(_ timestamp: HybridTimestamp) -> String {
        escape(timestamp.readable)
    }

    /// A participant's code with its name: "Philippines (PHL)".
    package static func participant(_ code: String) -> String {
        escape(ParticipantCode.label(code))
    }

    /// The hidden field that carries a session's CSRF token in each of its forms.
    package static func csrfField(_ token: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(escape(token))\">"
    }

    /// A whole page: `brand` and `header` (navigation, who is signed in)
    /// in the banner, then `body`.
    package static func page(title: String, brand: String, header: String, body: String) -> String {
        """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) · \(escape(brand))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; }
            header { background: #12355b; color: #fff; padding: .6em 1.2em; display: flex; gap: 1.5em; align-items: center; flex-wrap: wrap; }
            header a { color: #fff; margin-right: 1em; } header form { margin: 0; } header strong { font-size: 1.1em; }
            main { padding: 1em 1.2em; max-width: 78em; }
            table { border-collapse: collapse; width: 100%; margin: .5em 0 1.5em; }
            th, td { border-bottom: 1px solid #ddd; padding: .35em .5em; text-align: left; vertical-align: top; }
            th { background: #f1f4f8; } .conflict { color: #a40000; font-weight: bold; }
            .who { color: #555; font-size: .9em; } pre { white-space: pre-wrap; margin: 0; font-family: inherit; }
            .verdict-intact { color: #0a6b2d; } .verdict-damaged { color: #a40000; }
            dl { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; } dd { margin: 0; }
            form.filters { display: flex; gap: 1em; flex-wrap: wrap; align-items: end; }
            #review { border: 1px solid #c9d3e0; background: #f7f9fc; padding: .6em 1em; margin: 1em 0; }
            #review form { display: inline-block; margin-right: 1em; } .refusal { color: #a40000; } .note { color: #0a6b2d; }
            .conflict-box { border: 1px solid #e3b4b4; background: #fdf5f5; padding: .4em 1em .8em; margin: 1em 0; }
            .conflict-box .sides { display: flex; gap: 1em; flex-wrap: wrap; margin-bottom: .6em; }
            .side { flex: 1 1 20em; border: 1px solid #ddd; background: #fff; padding: .5em; }
            .buttons form, .element form { display: inline-block; margin-right: .6em; }
            .field { border-top: 1px solid #e4e8ee; padding: .3em 0 .6em; } .field h3 { margin: .3em 0 0; } .help { color: #555; margin: .1em 0 .4em; }
            </style></head>
            <body><header><strong>\(escape(brand))</strong>\(header)</header>
            <main>
            \(body)
            </main></body></html>
            """
    }
}
