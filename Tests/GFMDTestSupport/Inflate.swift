import CZlib

/// Whatever zlib inflates from the bytes at an offset, as an attacker with
/// the file would try: raw deflate, zlib and gzip streams, stopping at the
/// first error and keeping what came out before it.
public enum Inflate {
    /// What inflating `bytes` as raw deflate, zlib or gzip produces, at most `limit` bytes each.
    public static func everyWay(_ bytes: ArraySlice<UInt8>, limit: Int = 1 << 16) -> [[UInt8]] {
        // Raw deflate, zlib, gzip.
        [-15, 15, 31].map { partial(bytes, windowBits: $0, limit: limit) }
    }

    private static func partial(_ bytes: ArraySlice<UInt8>, windowBits: Int32, limit: Int) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return [] }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: limit)
        let input = Array(bytes)
        input.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                _ = inflate(&stream, Z_SYNC_FLUSH)
            }
        }
        return Array(output.prefix(Int(stream.total_out)))
    }
}
