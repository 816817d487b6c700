import Foundation
@testable import GFMDBundle
import GFMDCore
import Testing

/// Inputs that crashed a fuzz target (`scripts/fuzz.sh`), kept in
/// `Tests/Data/fuzz/TARGET/`: each must now be refused with an error.
@Suite("Inputs found by fuzzing")
struct FuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Data/fuzz")

    static func inputs(_ target: String) throws -> [(String, [UInt8])] {
        let folder = directory.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
            ($0, [UInt8](try Data(contentsOf: folder.appendingPathComponent($0))))
        }
    }

    @Test("bundle bodies: a commit whose leaf gaps run past its leaf count")
    func bodies() throws {
        let inputs = try Self.inputs("body")
        #expect(!inputs.isEmpty)
        for (name, bytes) in inputs {
            #expect(throws: BundleError.self, "\(name)") { try Bundle.decodeBody(bytes) }
        }
    }

    @Test("stored states: a change count beyond what an Int holds")
    func states() throws {
        let inputs = try Self.inputs("state")
        #expect(!inputs.isEmpty)
        for (name, bytes) in inputs {
            #expect(throws: FormatError.self, "\(name)") { try RecordState(id: RecordID(words: (1, 2)), decoding: bytes) }
        }
    }
}
