/// How far a long piece of work has come (applying a bundle, replaying a
/// history for `verify`, exporting), for a progress line on a terminal.
public struct WorkProgress: Sendable, Equatable {
    /// What is being done, in a few words: "applying changes".
    public let task: String
    /// Units done so far.
    public let done: Int
    /// Units in all.
    public let total: Int

    /// Progress of `done` units out of `total` at `task`.
    public init(_ task: String, done: Int, total: Int) {
        self.task = task
        self.done = done
        self.total = total
    }

    /// How many units pass between two reports: about 200 reports for the
    /// whole work, at least every unit of small ones.
    public static func stride(for total: Int) -> Int { max(1, total / 200) }
}

/// Told of progress, on the working thread, as work goes; the last report
/// has `done == total`.
public typealias ProgressHandler = (WorkProgress) -> Void
