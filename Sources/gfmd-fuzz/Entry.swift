import Foundation

/// The target this process fuzzes: `$GFMD_FUZZ_TARGET` (bundle by default).
let fuzzTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["GFMD_FUZZ_TARGET"] ?? "bundle"
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("gfmd-fuzz: no target \(name); use one of \(FuzzTarget.allCases.map(\.rawValue))\n".utf8))
        exit(2)
    }
    return target
}()

#if FUZZING
/// libFuzzer's driver, linked in by `-sanitize=fuzzer` (scripts/fuzz.sh).
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif

/// With libFuzzer (a build with `-sanitize=fuzzer -DFUZZING`): fuzzes
/// `fuzzTarget`, taking libFuzzer's options and corpus folders. Without:
/// runs each file named on the command line through the target, as a
/// regression check of a corpus or of the crashes found.
@main
struct FuzzMain {
    static func main() throws {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in
            fuzzTarget.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data!, count: size)))
            return 0
        })
        #else
        for path in CommandLine.arguments.dropFirst() {
            fuzzTarget.run([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        #endif
    }
}
