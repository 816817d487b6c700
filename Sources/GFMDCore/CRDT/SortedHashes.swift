/// Operations on arrays of hashes kept sorted and distinct, the form every
/// set of change ids takes in gfmd's states and encodings.
extension Array where Element == Hash256 {
    /// The index where `hash` is or would be inserted.
    func sortedIndex(of hash: Hash256) -> (index: Int, found: Bool) {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] < hash { low = mid + 1 } else { high = mid }
        }
        return (low, low < count && self[low] == hash)
    }

    /// Whether the sorted array contains `hash`.
    func sortedContains(_ hash: Hash256) -> Bool { sortedIndex(of: hash).found }

    /// Inserts `hash` keeping the array sorted; returns whether it was absent.
    @discardableResult
    mutating func sortedInsert(_ hash: Hash256) -> Bool {
        let (index, found) = sortedIndex(of: hash)
        if !found { insert(hash, at: index) }
        return !found
    }

    /// The sorted union of two sorted arrays.
    func sortedUnion(_ other: [Hash256]) -> [Hash256] {
        var result: [Hash256] = []
        result.reserveCapacity(count + other.count)
        var i = 0, j = 0
        while i < count, j < other.count {
            if self[i] < other[j] { result.append(self[i]); i += 1 }
            else if other[j] < self[i] { result.append(other[j]); j += 1 }
            else { result.append(self[i]); i += 1; j += 1 }
        }
        result.append(contentsOf: self[i...])
        result.append(contentsOf: other[j...])
        return result
    }
}
