/// A hybrid logical timestamp: wall-clock milliseconds plus a logical counter.
///
/// The upper 48 bits hold milliseconds since 1970-01-01T00:00:00Z and the lower
/// 16 bits a counter that orders events within one millisecond, so timestamps
/// compare as plain integers and stay close to real time while never going
/// backwards on a site (see ``HybridLogicalClock``).
public struct HybridTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed value: `milliseconds << 16 | counter`.
    public let rawValue: UInt64

    /// Wraps a packed value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Builds a timestamp from its two parts.
    public init(milliseconds: UInt64, counter: UInt16) {
        precondition(milliseconds < 1 << 48, "milliseconds must fit in 48 bits")
        rawValue = milliseconds << 16 | UInt64(counter)
    }

    /// Milliseconds since the Unix epoch.
    public var milliseconds: UInt64 { rawValue >> 16 }

    /// The logical counter within the millisecond.
    public var counter: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    /// The earliest timestamp.
    public static let zero = HybridTimestamp(rawValue: 0)

    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool { lhs.rawValue < rhs.rawValue }

    /// ISO 8601 in UTC with millisecond precision, e.g. `2026-11-26T15:56:23.120Z`.
    public var iso8601: String { CivilTime(milliseconds: milliseconds).iso8601 }

    public var description: String { iso8601 }

    /// The time as people read it, to the minute: `2026-11-26 15:56 UTC`.
    public var readable: String {
        let iso = iso8601
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5)) + " UTC"
    }
}

/// Calendar arithmetic for UTC timestamps, without Foundation's time zone
/// machinery (the core never reads the clock or the system's settings).
public struct CivilTime: Hashable, Sendable {
    /// Year, month (1–12), day (1–31), hour, minute, second, millisecond.
    public let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int

    /// Splits milliseconds since the Unix epoch into UTC calendar fields.
    public init(milliseconds: UInt64) {
        let totalSeconds = Int(milliseconds / 1000)
        millisecond = Int(milliseconds % 1000)
        let days = totalSeconds / 86_400
        let secondsOfDay = totalSeconds % 86_400
        hour = secondsOfDay / 3600
        minute = secondsOfDay % 3600 / 60
        second = secondsOfDay % 60
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since the Unix epoch of a proleptic Gregorian date (Hinnant's days_from_civil).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Whether `day` exists in `month` of `year`.
    public static func isValidDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// ISO 8601 in UTC with millisecond precision.
    public var iso8601: String {
        "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T"
            + "\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):\(Self.pad(second, 2)).\(Self.pad(millisecond, 3))Z"
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` or the same followed by `Z`,
    /// all read as UTC, into milliseconds since the Unix epoch.
    public static func parseMilliseconds(_ text: String) -> UInt64? {
        let utf8 = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= utf8.count else { return nil }
            var value = 0
            for index in range {
                let c = utf8[index]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(c - UInt8(ascii: "0"))
            }
            return value
        }
        func char(_ index: Int, _ expected: Character) -> Bool {
            index < utf8.count && utf8[index] == expected.asciiValue!
        }
        guard let year = number(0..<4), char(4, "-"), let month = number(5..<7), char(7, "-"),
              let day = number(8..<10), isValidDate(year: year, month: month, day: day), year >= 1970
        else { return nil }
        var seconds = days(year: year, month: month, day: day) * 86_400
        var end = 10
        if utf8.count > 10 {
            guard char(10, "T") || char(10, " "), let hour = number(11..<13), char(13, ":"),
                  let minute = number(14..<16), hour < 24, minute < 60 else { return nil }
            seconds += hour * 3600 + minute * 60
            end = 16
            if char(16, ":") {
                guard let second = number(17..<19), second < 60 else { return nil }
                seconds += second
                end = 19
            }
            if char(end, "Z") { end += 1 }
        }
        guard end == utf8.count else { return nil }
        return UInt64(seconds) * 1000
    }
}
