import Foundation
import GFMDCore

/// What gfmd does with its arguments before ArgumentParser reads them: the
/// habits users bring from other tools.
enum CommandLineHabits {
    /// The arguments with a leading `--replica DIR` (or `--replica=DIR`)
    /// moved after the command, so that `gfmd --replica DIR COMMAND` works as
    /// `git -C DIR COMMAND` does.
    static func normalised(_ arguments: [String]) -> [String] {
        var arguments = arguments
        var moved: [String] = []
        while let first = arguments.first {
            if first == "--replica", arguments.count >= 2 {
                moved += arguments.prefix(2)
                arguments.removeFirst(2)
            } else if first.hasPrefix("--replica=") {
                moved.append(arguments.removeFirst())
            } else {
                break
            }
        }
        return arguments + moved
    }

    /// The line refusing an unknown command, with the nearest known one; nil
    /// when the first argument is an option or a command.
    static func unknownCommand(_ arguments: [String], known: [String]) -> String? {
        guard let typed = arguments.first, !typed.hasPrefix("-"), !known.contains(typed) else { return nil }
        let nearest = known.map { (name: $0, distance: editDistance(typed, $0)) }.min { $0.distance < $1.distance }
        guard let nearest, nearest.distance <= max(2, typed.count / 3) else {
            return "\"\(typed)\" is not a gfmd command; `gfmd --help` lists them"
        }
        return "\"\(typed)\" is not a gfmd command; did you mean `gfmd \(nearest.name)`?"
    }

    /// `gfmd help TYPE`: a record type's fields, how each merges and what it
    /// takes; nil when the arguments ask for something else.
    static func typeHelp(_ arguments: [String]) -> String? {
        guard arguments.count == 2, arguments[0] == "help", let type = Schema.type(named: arguments[1]) else { return nil }
        let width = type.fields.map(\.name.count).max() ?? 0
        let lines = type.fields.map { field in
            "  \(field.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(field.kind.noun): \(field.help)"
        }
        var text = "\(type.name): \(type.help)\n\nFields (title: \(type.titleField)):\n" + lines.joined(separator: "\n")
        if let prefix = type.dynamicFieldPrefix {
            text += "\n  \(prefix)<question>  a single value or a set: the answer to one question"
        }
        return text
    }

    /// The Levenshtein distance between two command names.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var previous = row[0]
            row[0] = i + 1
            for (j, y) in b.enumerated() {
                let current = row[j + 1]
                row[j + 1] = min(row[j + 1] + 1, row[j] + 1, previous + (x == y ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
