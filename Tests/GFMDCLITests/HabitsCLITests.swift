import Foundation
import Testing

@Suite("Habits users bring from other tools")
struct HabitsCLITests {
    let cli = CLI()

    @Test("--replica before the command works as after it, like git -C")
    func replicaFirst() throws {
        try cli.enrolled("laptop", "PHL", author: "Maria Santos")
        try cli.ok("laptop", "new", "practice", "--title", "Diaspora bonds")
        let before = try cli.run(["--replica", cli.path("laptop"), "digest"])
        let equals = try cli.run(["--replica=\(cli.path("laptop"))", "list", "--json"])
        let digest = try cli.digest("laptop")
        #expect(before.status == 0 && before.output == digest)
        #expect(equals.status == 0 && equals.stdout.contains("Diaspora bonds"))
    }

    @Test("a mistyped command is answered with the nearest one, in one line; a stranger word with the way to the list")
    func mistyped() throws {
        for (typed, suggestion) in [("lst", "gfmd list"), ("bundel", "gfmd bundle"), ("verfy", "gfmd verify"), ("sinc", "gfmd sync")] {
            let result = try cli.run([typed])
            #expect(result.status != 0 && result.stdout.isEmpty)
            #expect(result.stderr == "gfmd: \"\(typed)\" is not a gfmd command; did you mean `\(suggestion)`?\n", "\(result.stderr)")
        }
        let stranger = try cli.run(["frobnicate"])
        #expect(stranger.status != 0 && stranger.stderr.contains("`gfmd --help` lists them"))
    }

    @Test("gfmd help TYPE lists the type's fields, how each merges and what it holds; help COMMAND still shows the command's help")
    func typeHelp() throws {
        let practice = try cli.run(["help", "practice"])
        #expect(practice.status == 0)
        #expect(practice.stdout.hasPrefix("practice: "))
        #expect(practice.stdout.contains("summary") && practice.stdout.contains("a text"))
        #expect(practice.stdout.contains("partners") && practice.stdout.contains("a set"))
        let survey = try cli.run(["help", "survey_response"])
        #expect(survey.stdout.contains("answers.<question>"))
        let list = try cli.run(["help", "list"])
        #expect(list.status == 0 && list.stdout.contains("List records"))
    }
}
