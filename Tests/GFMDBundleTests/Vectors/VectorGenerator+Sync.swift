import GFMDCore
import GFMDSync
import GFMDTestSupport

extension VectorGenerator {
    /// The knowledge a golden version-5 bundle carries: SEC's, for PHL, which
    /// it knew nothing of (so the bundle carries everything PHL may read).
    static func goldenSync(secretariat: TestSite, laptop: TestSite, trustTime: HybridTimestamp, laptopTime: HybridTimestamp) -> SyncMessage {
        let holds = Frontier([SiteTag(secretariat.id): trustTime, SiteTag(laptop.id): laptopTime])
        return SyncMessage(recipient: "PHL", holds: holds, vouched: Set(holds.sites), basis: .nothing)
    }

    static func sync() -> M.File<M.SyncCase, M.SyncFailure> {
        let a = SiteTag(rawValue: 0x0102_0304_0506_0708), b = SiteTag(rawValue: 0xA1A2_A3A4_A5A6_A7A8)
        let t = { (milliseconds: UInt64) in HybridTimestamp(milliseconds: milliseconds, counter: 0) }
        let messages: [(String, SyncMessage)] = [
            ("nothing known of the recipient: a laptop vouches for two sites to SEC, and gives its trust heads", SyncMessage(
                recipient: "SEC", holds: Frontier([a: t(created.milliseconds - 5_000), b: t(created.milliseconds - 60_000)]),
                vouched: [a, b], trustHeads: [Hash256.of(Array("trust head".utf8))], basis: .nothing)),
            ("a delta: one site vouched, one not; a change held above the frontier; a change wanted; two bundles assumed applied by one site, none by another",
             SyncMessage(
                recipient: "MEX", holds: Frontier([a: t(created.milliseconds - 1_000), b: t(created.milliseconds - 2_000)]),
                vouched: [a], extras: [SitePoint(site: b, timestamp: HybridTimestamp(milliseconds: created.milliseconds - 500, counter: 3))],
                wants: [Hash256.of(Array("wanted".utf8))], taken: [b: t(created.milliseconds - 7_000)],
                basis: .sent([a: [t(created.milliseconds - 9_000), t(created.milliseconds - 8_000)], b: []]))),
            ("a replica that knows nothing", SyncMessage(recipient: "SEC")),
            ("a bundle of everything its sender holds, for any recipient", SyncMessage(
                recipient: "", holds: Frontier([a: t(created.milliseconds - 3_000)]), vouched: [a], basis: .nothing)),
            ("a laptop's claims on its own site and a colleague's, with their fingerprints (body section 4)", {
                var message = SyncMessage(recipient: "SEC", holds: Frontier([a: t(created.milliseconds - 5_000), b: t(created.milliseconds - 60_000)]),
                                          vouched: [a, b], basis: .nothing)
                var own = SiteFingerprint(time: message.holds[a])
                own.add(Hash256.of(Array("first change".utf8)))
                own.add(Hash256.of(Array("second change".utf8)))
                message.fingerprints = [a: own, b: SiteFingerprint(time: message.holds[b])]
                return message
            }()),
        ]
        func raw(_ build: (inout ByteWriter) -> Void) -> String {
            var writer = ByteWriter()
            build(&writer)
            return Hex.encode(writer.bytes)
        }
        let failures: [(String, String, String)] = [
            ("sites out of order", raw { w in
                w.write(string: "PHL"); w.write(count: 2)
                w.write(uint64BigEndian: b.rawValue); w.write(varint: 2)
                w.write(uint64BigEndian: a.rawValue); w.write(varint: 2)
                w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(byte: 0)
            }, "not_canonical"),
            ("a time later than the bundle", raw { w in
                w.write(string: "PHL"); w.write(count: 1)
                w.write(uint64BigEndian: a.rawValue); w.write(varint: (created.rawValue + 1) << 1)
                w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(byte: 0)
            }, "invalid_value"),
            ("a site at time zero", raw { w in
                w.write(string: "PHL"); w.write(count: 1)
                w.write(uint64BigEndian: a.rawValue); w.write(varint: created.rawValue << 1)
                w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(byte: 0)
            }, "not_canonical"),
            ("basis kind 2", raw { w in
                w.write(string: "PHL"); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(byte: 2)
            }, "invalid_value"),
            ("a byte after the basis", raw { w in
                w.write(string: "PHL"); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(byte: 0); w.write(byte: 0)
            }, "trailing_bytes"),
            ("a recipient that is not UTF-8", raw { w in
                w.write(lengthPrefixed: [0xFF]); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(count: 0); w.write(byte: 0)
            }, "invalid_utf8"),
            ("a count larger than the bytes left", raw { w in
                w.write(string: "PHL"); w.write(count: 1000)
            }, "too_large"),
        ]
        let fingerprintFailures: [(String, String, String)] = [
            ("fingerprints: sites out of order", raw { w in
                w.write(count: 2)
                for site in [b, a] { w.write(uint64BigEndian: site.rawValue); w.write(varint: 1); w.write(varint: 0); w.write(uint64BigEndian: 0) }
            }, "not_canonical"),
            ("fingerprints: a time of zero", raw { w in
                w.write(count: 1); w.write(uint64BigEndian: a.rawValue); w.write(varint: created.rawValue); w.write(varint: 0); w.write(uint64BigEndian: 0)
            }, "invalid_value"),
            ("fingerprints: a byte after the last entry", raw { w in
                w.write(count: 1); w.write(uint64BigEndian: a.rawValue); w.write(varint: 1); w.write(varint: 0); w.write(uint64BigEndian: 0); w.write(byte: 0)
            }, "trailing_bytes"),
        ]
        return M.File(
            kind: "sync",
            description: "Sync sections of bundle format versions 5 and 6 (Protocol/sync.md, \"The sync section\" and \"Fingerprints\"). Times are packed hybrid timestamps; input is the sync section's payload in hex, and fingerprints (when present) the payload of the fingerprints section (body section 4) that follows it, both read relative to the bundle's created time. must_fail: payloads a reader refuses, of the fingerprints section where section says so.",
            valid: messages.map { name, message in
                M.SyncCase(name: name, created: created.rawValue, input: Hex.encode(message.encoded(relativeTo: created)),
                           fingerprints: message.fingerprints.isEmpty ? nil : Hex.encode(message.encodedFingerprints(relativeTo: created)),
                           expected: M.SyncJSON(message))
            },
            mustFail: failures.map { M.SyncFailure(name: $0.0, created: created.rawValue, input: $0.1, error: $0.2) }
                + fingerprintFailures.map { M.SyncFailure(name: $0.0, created: created.rawValue, section: "fingerprints", input: $0.1, error: $0.2) })
    }
}
