import Foundation

/// Finds records by the id or id prefix a user typed.
public protocol RecordLookup {
    /// The record whose id is, or starts with, `prefix`.
    ///
    /// - Throws: ``InputError`` when no record, or more than one, matches.
    func record(matching prefix: String) throws -> RecordState
}

extension ValueType {
    /// Turns what a user typed for field `field` into a value, or explains why it cannot be one.
    ///
    /// - Parameter records: finds the records named by record references.
    /// - Throws: ``InputError``, or an error of `records`.
    public func value(from input: String, field: String, records: some RecordLookup) throws -> Value {
        switch self {
        case .line:
            return .string(try TextInput.normalise(input, field: field, multiline: false))
        case .text:
            return .string(try TextInput.normalise(input, field: field, multiline: true))
        case .date:
            let trimmed = input.trimmingCharacters(in: .whitespaces)
            guard trimmed.utf8.count == 10, CivilTime.parseMilliseconds(trimmed) != nil else {
                throw InputError(.invalidValue, "\(field) must be a date written YYYY-MM-DD, not \"\(input)\"")
            }
            return .string(trimmed)
        case .choice(let choices):
            let word = input.trimmingCharacters(in: .whitespaces).lowercased()
            guard choices.contains(word) else {
                throw InputError(.invalidValue, "\(field) must be one of \(choices.joined(separator: ", ")), not \"\(input)\"")
            }
            return .string(word)
        case .participant:
            guard let code = ParticipantCode(input.trimmingCharacters(in: .whitespaces)) else {
                throw InputError(.unknownParticipant, "\(field): \"\(input)\" is not a participant code (an ISO 3166-1 alpha-3 code such as PHL, or an organisation such as IOM)")
            }
            return .string(code.rawValue)
        case .state:
            guard let code = ParticipantCode(input.trimmingCharacters(in: .whitespaces)), code.participant.kind == .state else {
                throw InputError(.unknownParticipant, "\(field): \"\(input)\" is not an ISO 3166-1 alpha-3 state code such as PHL")
            }
            return .string(code.rawValue)
        case .record(let type):
            let record = try records.record(matching: input.trimmingCharacters(in: .whitespaces))
            if let type, record.header.type != type {
                throw InputError(.invalidValue, "\(field) must name a \(type), but \(record.id.short) is a \(record.header.type)")
            }
            return .string(record.id.hex)
        case .textList:
            guard let data = input.data(using: .utf8),
                  let items = (try? JSONSerialization.jsonObject(with: data)) as? [String] else {
                throw InputError(.invalidValue, "\(field) is a list: write it as a JSON array of strings, e.g. [\"first\", \"second\"]")
            }
            return .list(try items.enumerated().map { offset, item in
                try TextInput.normalise(item, field: "\(field) item \(offset + 1)", multiline: true)
            })
        }
    }
}
