// gfmd-bench: the workloads of DESIGN.md §10, run through the real store and
// bundle code, printing one JSON line each in the shape of ../shared/bench/peers.py.
//
//   swift run -c release gfmd-bench w1 [--trace FILE]
//   swift run -c release gfmd-bench w2 [--delegations N] [--work DIR]
//   swift run -c release gfmd-bench w3 [--changes N] [--records N] [--sites N] [--work DIR]
//   swift run -c release gfmd-bench w4 [--runs N] [--delegations N] [--work DIR]
//   swift run -c release gfmd-bench w5 [--clients N] [--idle N] [--kill-hub-after SECONDS] [--standby]
//   swift run -c release gfmd-bench report [--runs N] [--delegations N] [--scale 50,250,1000] [--work DIR]
//                                          [--python PATH] [--peers PATH]
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

do {
    switch arguments.first {
    case "w1":
        let trace = option("--trace") ?? "Tests/Data/editing-traces/automerge-paper.json.gz"
        try TextWorkload(trace: URL(fileURLWithPath: trace)).run()
    case "w2":
        let delegations = option("--delegations").flatMap(Int.init) ?? Int(ProcessInfo.processInfo.environment["DELEGATIONS"] ?? "") ?? 250
        try MergeWorkload(delegations: delegations, workDirectory: option("--work").map { URL(fileURLWithPath: $0) }).run()
    case "w3":
        let changes = option("--changes").flatMap(Int.init) ?? Int(ProcessInfo.processInfo.environment["HISTORY"] ?? "") ?? 10_000
        var workload = DeltaWorkload(changes: changes, workDirectory: option("--work").map { URL(fileURLWithPath: $0) })
        if let records = option("--records").flatMap(Int.init) { workload.recordCount = records }
        if let sites = option("--sites").flatMap(Int.init) { workload.siteCount = sites }
        try workload.run()
    case "w4":
        try ListWorkload(runs: option("--runs").flatMap(Int.init) ?? 7, delegations: option("--delegations").flatMap(Int.init) ?? 250,
                         workDirectory: option("--work").map { URL(fileURLWithPath: $0) }).run()
    case "w5":
        var workload = HubWorkload(clients: option("--clients").flatMap(Int.init) ?? 250)
        workload.idle = option("--idle").flatMap(Int.init) ?? 0
        workload.killHubAfter = option("--kill-hub-after").flatMap(Double.init)
        workload.standby = CommandLine.arguments.contains("--standby")
        try await workload.run()
    case "report":
        let home = FileManager.default.homeDirectoryForCurrentUser
        let venv = home.appendingPathComponent(".cache/gfmd-peers/bin/python")
        try ReportWorkload(
            runs: option("--runs").flatMap(Int.init) ?? 3,
            delegations: option("--delegations").flatMap(Int.init) ?? 250,
            scale: (option("--scale") ?? "50,250,1000").split(separator: ",").compactMap { Int($0) },
            workDirectory: URL(fileURLWithPath: option("--work") ?? FileManager.default.temporaryDirectory.appendingPathComponent("gfmd-bench-report").path),
            python: URL(fileURLWithPath: option("--python") ?? (FileManager.default.isExecutableFile(atPath: venv.path) ? venv.path : "/usr/bin/python3")),
            peers: URL(fileURLWithPath: option("--peers") ?? "../shared/bench/peers.py")).run()
    case "w5-hub":
        try await HubChild.serve(replica: URL(fileURLWithPath: option("--replica") ?? "."), port: option("--port").flatMap(Int.init) ?? 0,
                                 mirror: option("--mirror").flatMap(URL.init(string:)))
    default:
        FileHandle.standardError.write(Data("usage: gfmd-bench w1 [--trace FILE] | w2 [--delegations N] [--work DIR] | w3 [--changes N] [--records N] [--sites N] [--work DIR] | w4 [--runs N] [--delegations N] [--work DIR] | w5 [--clients N] [--idle N] [--kill-hub-after SECONDS] [--standby] | report [--runs N] [--delegations N] [--scale LIST] [--work DIR] [--python PATH] [--peers PATH]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("gfmd-bench: \(error)\n".utf8))
    exit(1)
}
