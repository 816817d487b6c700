#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target (scripts/fuzz.sh) from Protocol/vectors.

bundle: the golden bundle files and every bundle vector; body: their inflated
bodies; change: every change vector; trust: every certificate, revocation and
request vector, behind the byte that selects its parser; admission: each
state vector's changes, each behind its length (a varint). state has no seed:
libFuzzer starts it from scratch.
"""
import json
import pathlib
import sys
import zlib

vectors = pathlib.Path(__file__).resolve().parent.parent / "Protocol" / "vectors"
out = pathlib.Path(sys.argv[1])


def write(target, name, data):
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def cases(name):
    document = json.loads((vectors / name).read_text())
    return document["valid"] + document["must_fail"]


def body(bundle):
    """The inflated body of a bundle file (the gzip member after its header)."""
    start = bundle.find(b"\x1f\x8b\x08")
    if start < 0:
        return None
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(bundle[start:])
    except zlib.error:
        return None


bundles = [path.read_bytes() for path in sorted(vectors.glob("golden-*.gfmd"))]
bundles += [bytes.fromhex(case["input"]) for case in cases("bundles.json") if "input" in case]
bundles += [bytes.fromhex(case["input"]) for case in cases("trust.json")]
for index, data in enumerate(bundles):
    write("bundle", f"bundle-{index}", data)
    inflated = body(data)
    if inflated is not None:
        write("body", f"body-{index}", inflated)
for index, case in enumerate(cases("changes.json")):
    write("change", f"change-{index}", bytes.fromhex(case["input"]))
def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


for index, case in enumerate(json.loads((vectors / "state.json").read_text())["valid"]):
    admission = b""
    for offset, change in enumerate(case["changes"]):
        write("change", f"state-{index}-{offset}", bytes.fromhex(change))
        admission += varint(len(bytes.fromhex(change))) + bytes.fromhex(change)
    write("admission", f"state-{index}", admission)
selector = {"certificate": 0, "revocation": 1, "request": 2}
for index, case in enumerate(cases("certificates.json")):
    kind = case.get("expected", {}).get("kind") or case.get("kind") or "certificate"
    write("trust", f"trust-{index}", bytes([selector.get(kind, 0)]) + bytes.fromhex(case["input"]))
(out / "state").mkdir(parents=True, exist_ok=True)
