import GFMDCore
import Testing

@Suite("Participant list")
struct ParticipantTests {
    @Test("every ISO 3166-1 state is present, with its M49 code and names")
    func states() throws {
        #expect(Participants.states.count == 249)
        let philippines = try #require(ParticipantCode("PHL")).participant
        #expect(philippines.kind == .state)
        #expect(philippines.m49 == "608")
        #expect(philippines.names[.es] == "Filipinas")
        #expect(try #require(ParticipantCode("mex")).rawValue == "MEX")
    }

    @Test("organisations, civil society and the secretariat are participants", arguments: ["IOM", "ILO", "UNHCR", "UNDP", "OECD", "WB", "CSO", "SEC"])
    func organisations(code: String) throws {
        let participant = try #require(ParticipantCode(code)).participant
        #expect(participant.kind != .state)
    }

    @Test("codes that name nobody are refused", arguments: ["XYZ", "PH", "", "PHLX", "USA1"])
    func unknown(code: String) {
        #expect(ParticipantCode(code) == nil)
    }
}
