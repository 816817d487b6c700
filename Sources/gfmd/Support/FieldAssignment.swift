import ArgumentParser
import GFMDCore

/// A `FIELD=VALUE` argument.
struct FieldAssignment: ExpressibleByArgument {
    let field: String
    let value: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        field = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
