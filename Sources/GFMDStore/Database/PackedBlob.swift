import CZlib
import Foundation
import GFMDCore

/// How the replica stores change bodies and record checkpoints: compressed
/// as SQLite archives (`sqlar`) store files, so that the `sqlite3` shell
/// reads them back with `sqlar_uncompress(blob, size)` (`Protocol/storage.md`).
///
/// A packed blob is the zlib stream (RFC 1950) of the original bytes, or the
/// original bytes themselves when compressing would not make them smaller;
/// the original's length, kept beside it, tells the two apart.
enum PackedBlob {
    /// No change or checkpoint gfmd writes comes near this: a larger recorded
    /// size is an altered database, refused before memory is taken for it.
    static let maximumSize = 1 << 30

    /// `bytes` packed: one fixed-code deflate block (``FixedDeflate``), or
    /// `bytes` themselves when that is not shorter.
    static func pack(_ bytes: [UInt8]) -> Data {
        guard let packed = bytes.withUnsafeBufferPointer(FixedDeflate.deflate) else { return Data(bytes) }
        return Data(packed)
    }

    /// The original bytes of `packed`, which were `size` bytes long.
    ///
    /// - Throws: ``StoreError`` (`corrupt`) when the blob does not unpack to
    ///   exactly `size` bytes.
    static func unpack(_ packed: Data, size: Int) throws -> [UInt8] {
        if packed.count == size { return [UInt8](packed) }
        guard size > packed.count, !packed.isEmpty else { throw StoreError(.corrupt, "a stored blob is longer than its recorded size") }
        guard size <= maximumSize else { throw StoreError(.corrupt, "a stored blob's recorded size, \(size) bytes, is beyond any gfmd writes") }
        var bytes = [UInt8](repeating: 0, count: size)
        var produced = uLongf(size)
        let status = bytes.withUnsafeMutableBufferPointer { output in
            packed.withUnsafeBytes { input in
                uncompress(output.baseAddress, &produced, input.baseAddress!.assumingMemoryBound(to: Bytef.self), uLong(input.count))
            }
        }
        guard status == Z_OK, Int(produced) == size else {
            throw StoreError(.corrupt, "a stored blob does not unpack to its recorded size of \(size) bytes")
        }
        return bytes
    }
}
