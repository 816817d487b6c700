import GFMDCore
import GFMDStore

/// Resolves the record ids and prefixes users type, like git's abbreviated hashes.
struct StoreRecordLookup: RecordLookup {
    let reader: StoreReader
    /// Loads a record's merged state (inside a write, through the store's cache).
    var load: ((RecordID) throws -> RecordState?)? = nil

    func id(matching prefix: String) throws -> RecordID {
        let prefix = prefix.lowercased()
        guard prefix.utf8.count >= RecordID.minimumPrefixLength, prefix.utf8.allSatisfy({ Hex.nibble($0) != nil }) else {
            throw InputError(.unknownRecord, "\"\(prefix)\" is not a record id: give at least \(RecordID.minimumPrefixLength) of its hexadecimal digits")
        }
        let matches = try reader.recordIDs(withPrefix: prefix, limit: 6)
        switch matches.count {
        case 0:
            throw InputError(.unknownRecord, "no record on this replica has an id starting with \(prefix)")
        case 1:
            return matches[0]
        default:
            let shown = matches.prefix(5).map { String($0.hex.prefix(prefix.count + 4)) }.joined(separator: ", ")
            throw InputError(.ambiguousRecord, "\(prefix) could be any of several records (\(shown)\(matches.count > 5 ? ", …" : "")): give more digits")
        }
    }

    func record(matching prefix: String) throws -> RecordState {
        let id = try id(matching: prefix)
        guard let state = try load?(id) ?? reader.record(id) else {
            throw InputError(.unknownRecord, "no record on this replica has the id \(id.hex)")
        }
        return state
    }
}
