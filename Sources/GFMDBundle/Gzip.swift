import CZlib

/// Gzip (RFC 1952) compression through the system zlib, with bounded inflation.
///
/// A bundle's body is one gzip member, so `gzip -d` reads it once cut out of the
/// file. Inflation never produces more than the size the caller allows: a
/// decompression bomb is refused before it costs memory.
enum Gzip {
    /// Why inflation failed.
    enum Failure: Error, Equatable {
        /// The data is not a valid, complete gzip member.
        case corrupt(String)
        /// The data inflates to more than the allowed size.
        case tooLarge
    }

    /// zlib's `windowBits` for a gzip wrapper with the largest window.
    private static let gzipWindowBits: Int32 = 15 + 16

    /// Compresses `input` into one gzip member at `level` (1 fastest … 9 smallest).
    static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        let deflater = Deflater(level: level)
        deflater.append(input)
        return deflater.finish()
    }

    /// One gzip member compressed as its input comes, so that only the
    /// compressed output is held, never the whole input.
    final class Deflater {
        /// Heap-allocated: zlib's state points back to its stream, which must not move.
        private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        private var output: [UInt8] = []
        /// Where zlib writes before the bytes join `output`: allocated once,
        /// so that appending a small commit neither grows nor zero-fills
        /// `output` by the 64 KiB zlib may need.
        private var scratch: [UInt8] = []
        private var finished = false

        init(level: Int32) {
            stream.initialize(to: z_stream())
            let status = deflateInit2_(stream, level, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY,
                                       ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            precondition(status == Z_OK, "zlib deflateInit2 failed: \(status)")
        }

        deinit {
            deflateEnd(stream)
            stream.deallocate()
        }

        /// Compresses `input`, after what came before.
        func append(_ input: [UInt8]) {
            precondition(!finished, "a finished gzip member takes no more input")
            run(input, flush: Z_NO_FLUSH)
        }

        /// Ends the member and returns the compressed bytes.
        func finish() -> [UInt8] {
            precondition(!finished, "a gzip member is finished once")
            run([], flush: Z_FINISH)
            finished = true
            return output
        }

        private func run(_ input: [UInt8], flush: Int32) {
            input.withUnsafeBufferPointer { inBuffer in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
                stream.pointee.avail_in = uInt(inBuffer.count)
                while true {
                    // Room for at least what this input can deflate to, so that one call usually suffices.
                    let room = max(1 << 16, Int(deflateBound(stream, uLong(stream.pointee.avail_in))))
                    if scratch.count < room { scratch = [UInt8](repeating: 0, count: room) }
                    let status = scratch.withUnsafeMutableBufferPointer { outBuffer in
                        stream.pointee.next_out = outBuffer.baseAddress!
                        stream.pointee.avail_out = uInt(room)
                        return deflate(stream, flush)
                    }
                    let produced = room - Int(stream.pointee.avail_out)
                    scratch.withUnsafeBufferPointer { output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<produced])) }
                    precondition(status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR, "zlib deflate failed: \(status)")
                    if flush == Z_FINISH ? status == Z_STREAM_END : stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return }
                }
            }
            stream.pointee.next_in = nil
        }
    }

    /// Inflates one gzip member that must produce exactly `expectedSize` bytes.
    ///
    /// The output grows as inflation proceeds, from at most 1 MiB, so memory
    /// follows what the input really inflates to, and never exceeds
    /// `expectedSize` + 1 bytes, whatever the header claimed.
    static func decompress(_ input: ArraySlice<UInt8>, expectedSize: Int) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, gzipWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        // One spare byte lets an over-long stream show itself.
        let limit = expectedSize + 1
        var output = [UInt8](repeating: 0, count: min(limit, 1 << 20))
        var status: Int32 = Z_OK
        input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            while true {
                let produced = Int(stream.total_out)
                output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress! + produced
                    stream.avail_out = uInt(outBuffer.count - produced)
                    status = inflate(&stream, Z_FINISH)
                }
                guard (status == Z_BUF_ERROR || status == Z_OK), stream.avail_out == 0, output.count < limit else { return }
                output += [UInt8](repeating: 0, count: min(output.count, limit - output.count))
            }
        }
        let produced = Int(stream.total_out)
        switch status {
        case Z_STREAM_END:
            guard produced == expectedSize else {
                throw produced > expectedSize ? .tooLarge : .corrupt("the body inflates to \(produced) bytes, not the \(expectedSize) its header declares")
            }
            guard stream.avail_in == 0 else { throw .corrupt("bytes follow the end of the compressed body") }
            output.removeLast(output.count - produced)
            return output
        case Z_BUF_ERROR where stream.avail_out == 0, Z_OK where stream.avail_out == 0:
            throw .tooLarge
        case Z_BUF_ERROR:
            throw .corrupt("the compressed body ends early")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
            throw .corrupt("the compressed body is damaged (\(message))")
        }
    }
}
