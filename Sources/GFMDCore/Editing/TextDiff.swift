/// The smallest set of edits turning one text into another, in whole words:
/// texts are compared line by line, then word by word inside the lines that
/// differ (a word is a run of letters and digits; every other character stands
/// alone). Words are made of grapheme clusters, so an edit never splits a
/// letter from its accent or an emoji from its skin tone, and the cost follows
/// the size of the change, not of the text.
public enum TextDiff {
    /// One replacement: at position `position` (in Unicode scalars of the text
    /// as it is before this hunk applies), remove `deleteCount` scalars and
    /// insert `insert`.
    public struct Hunk: Hashable, Sendable {
        public let position: Int
        public let deleteCount: Int
        public let insert: [Unicode.Scalar]
    }

    /// The most differences the word-level pass explores in one region;
    /// beyond it the region is replaced whole.
    static let maximumWordEdits = 2000

    /// The hunks turning `old` into `new`, from the end of the text to its
    /// start, so that each position is still valid when its hunk applies.
    public static func hunks(from old: String, to new: String) -> [Hunk] {
        let oldLines = lines(old), newLines = lines(new)
        var oldScalarStart = [0]
        for line in oldLines { oldScalarStart.append(oldScalarStart.last! + line.unicodeScalars.count) }
        var hunks: [Hunk] = []
        for region in spans(oldLines, newLines, limit: Int.max) {
            let oldWords = words(oldLines[region.oldStart..<(region.oldStart + region.oldCount)].joined())
            let newWords = words(newLines[region.newStart..<(region.newStart + region.newCount)].joined())
            var offsets = [Int](repeating: 0, count: oldWords.count + 1)
            for (i, word) in oldWords.enumerated() { offsets[i + 1] = offsets[i] + word.unicodeScalars.count }
            let base = oldScalarStart[region.oldStart]
            for span in spans(oldWords, newWords, limit: maximumWordEdits) {
                hunks.append(Hunk(
                    position: base + offsets[span.oldStart],
                    deleteCount: offsets[span.oldStart + span.oldCount] - offsets[span.oldStart],
                    insert: newWords[span.newStart..<(span.newStart + span.newCount)].flatMap { Array($0.unicodeScalars) }))
            }
        }
        return hunks.reversed()
    }

    /// `text` cut into words (runs of letters and digits) and single other characters.
    static func words(_ text: String) -> [Substring] {
        var result: [Substring] = []
        var start = text.startIndex
        var inWord = false
        for index in text.indices {
            let character = text[index]
            let isWordCharacter = character.isLetter || character.isNumber
            if index > start && !(inWord && isWordCharacter) {
                result.append(text[start..<index])
                start = index
            }
            inWord = isWordCharacter
        }
        if start < text.endIndex { result.append(text[start...]) }
        return result
    }

    /// `text` cut after each line feed (the last line may have none).
    static func lines(_ text: String) -> [Substring] {
        var result: [Substring] = []
        var start = text.startIndex
        for index in text.indices where text[index] == "\n" {
            let next = text.index(after: index)
            result.append(text[start..<next])
            start = next
        }
        if start < text.endIndex { result.append(text[start...]) }
        return result
    }

    struct Span { var oldStart: Int, oldCount: Int, newStart: Int, newCount: Int }

    /// The replaced spans between `a` and `b`, in order: common prefix and
    /// suffix removed, then Myers' O((N+M)D) difference on the middle, whose
    /// memory is O(D²). When more than `limit` differences would be needed, the
    /// whole middle is one span.
    static func spans<T: Equatable>(_ a: [T], _ b: [T], limit: Int) -> [Span] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let n = a.count - prefix - suffix, m = b.count - prefix - suffix
        let whole = [Span(oldStart: prefix, oldCount: n, newStart: prefix, newCount: m)]
        if n == 0 && m == 0 { return [] }
        if n == 0 || m == 0 { return whole }
        func x(_ i: Int) -> T { a[prefix + i] }
        func y(_ j: Int) -> T { b[prefix + j] }
        // frontier[d][k + d] = furthest x on diagonal k after d differences.
        var frontier: [[Int]] = []
        var done = false
        var d = 0
        while !done {
            if d > limit || d > n + m { return whole }
            var row = [Int](repeating: 0, count: 2 * d + 1)
            for k in stride(from: -d, through: d, by: 2) {
                var i: Int
                if d == 0 {
                    i = 0
                } else {
                    let previous = frontier[d - 1]
                    let down = k + 1 <= d - 1 ? previous[k + 1 + d - 1] : -1
                    let right = k - 1 >= -(d - 1) ? previous[k - 1 + d - 1] : -1
                    i = (k == -d || (k != d && right < down)) ? down : right + 1
                }
                var j = i - k
                while i < n, j < m, x(i) == y(j) { i += 1; j += 1 }
                row[k + d] = i
                if i >= n && j >= m { done = true }
            }
            frontier.append(row)
            d += 1
        }
        // Walk back from (n, m), collecting the matched pairs.
        var matches: [(Int, Int)] = []
        var i = n, j = m
        for step in stride(from: frontier.count - 1, through: 1, by: -1) {
            let k = i - j
            let previous = frontier[step - 1]
            let down = k + 1 <= step - 1 ? previous[k + 1 + step - 1] : -1
            let right = k - 1 >= -(step - 1) ? previous[k - 1 + step - 1] : -1
            let previousK = (k == -step || (k != step && right < down)) ? k + 1 : k - 1
            let previousI = previous[previousK + step - 1]
            let previousJ = previousI - previousK
            let startI = previousK == k + 1 ? previousI : previousI + 1
            while i > startI && j > (startI - k) {
                i -= 1; j -= 1
                matches.append((i, j))
            }
            i = previousI
            j = previousJ
        }
        while i > 0 && j > 0 {
            i -= 1; j -= 1
            matches.append((i, j))
        }
        matches.reverse()
        var result: [Span] = []
        var oldCursor = 0, newCursor = 0
        for (mi, mj) in matches + [(n, m)] {
            if mi > oldCursor || mj > newCursor {
                result.append(Span(oldStart: prefix + oldCursor, oldCount: mi - oldCursor,
                                   newStart: prefix + newCursor, newCount: mj - newCursor))
            }
            oldCursor = mi + 1
            newCursor = mj + 1
        }
        return result
    }
}
