#!/usr/bin/env python3
"""Checks the memory phase of testdata/examples from the text of docs/protocol.md alone
(sections 2.2, 4.8, 4.9, 5 and 8.2), sharing no code with the Java implementation: the memory
digest; for each opening, v_p from the memory seed and the previous pass root, the row of
C(g, t) and the element y_p(t)[i] as the ascending FMA chain (exact rational arithmetic,
rounded once per step as fma does), its leaf's audit path to s_p(g, t) and that root's to
m_p(g); and, where the 'cryptography' package is installed, the Ed25519 signature of the
memory roots. Standard library otherwise.

    python3 testdata/examples/crosscheck-memory.py

Exits 0 when everything holds; takes a few seconds. Philox, the operands and the Merkle tree
hash come from testdata/golden/crosscheck.py.
"""
import hashlib
import json
import struct
import sys
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "golden"))
from crosscheck import element, leaf, node  # noqa: E402


def load(name):
    return json.loads((HERE / (name + ".json")).read_text())


def le32(x):
    return struct.pack("<I", x)


def key_of(h):
    return struct.unpack("<I", h[0:4])[0], struct.unpack("<I", h[4:8])[0]


def value(scaled):
    """An operand element: scaled is value * 2^53, exact."""
    return Fraction(scaled, 1 << 53)


def fma_chain(xs, ys):
    acc = 0.0
    for x, y in zip(xs, ys):
        acc = float(Fraction(x) * Fraction(y) + Fraction(acc))
    return acc


def verify_path(index, size, leaf_hash, path, root):
    """RFC 9162 section 2.1.3.2, every step."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def main():
    challenge_bytes = (HERE / "challenge.json").read_bytes()
    challenge = json.loads(challenge_bytes)
    commitment = load("commitment")
    seed_msg = load("memory-seed")
    roots = load("memory-roots")
    request = load("opening-request")
    openings = load("openings")
    failures = []

    n, t_count = challenge["dim"], challenge["iterations"]
    kept, passes = challenge["memory"]["kept"], challenge["memory"]["passes"]
    first = t_count - kept
    seed = bytes.fromhex(seed_msg["seed"])
    h = hashlib.sha256(b"philox-key/v1" + bytes.fromhex(challenge["seed"])).digest()
    key = key_of(h)

    if seed_msg["commitmentDigest"] != commitment["commitmentDigest"]:
        failures.append("memory seed follows another commitment")
    m = {d["index"]: [bytes.fromhex(r) for r in d["roots"]] for d in roots["devices"]}
    digest = hashlib.sha256(b"memory/v1" + bytes.fromhex(roots["commitmentDigest"]) + seed
                            + le32(len(m)) + le32(passes)
                            + b"".join(r for g in sorted(m) for r in m[g])).hexdigest()
    if digest != roots["memoryDigest"]:
        failures.append("memory digest %s, recomputed %s" % (roots["memoryDigest"], digest))

    device_roots = [bytes.fromhex(d["root"]) for d in commitment["devices"]]
    for k, o in enumerate(openings["openings"]):
        g, t, i = o["device"], o["iteration"], o["row"]
        mem = o["memory"]
        p = mem["pass"]
        if request["samples"][k].get("pass") != p:
            failures.append("opening %d answers pass %d, not the one asked" % (k, p))
        previous = device_roots[g] if p == 0 else m[g][p - 1]
        pk = key_of(hashlib.sha256(b"memory-vector/v1" + seed + le32(g) + le32(p)
                                   + previous).digest())
        v = [value(element(pk, j, 0, 0, 2)[1]) for j in range(n)]
        a_row = [value(element(key, i * n + kk, t, g, 0)[1]) for kk in range(n)]
        b = [value(element(key, e, 0, g, 1)[1]) for e in range(n * n)]
        c_row = [fma_chain(a_row, [b[kk * n + j] for kk in range(n)]) for j in range(n)]
        y = fma_chain(c_row, v)
        y_bits = struct.unpack("<Q", struct.pack("<d", y))[0]
        if "%016x" % y_bits != mem["value"]:
            failures.append("opening %d: y = %s sent, %016x computed" % (k, mem["value"], y_bits))
        vector_root = bytes.fromhex(mem["vectorRoot"])
        if not verify_path(i, n, leaf(struct.pack("<d", y)),
                           [bytes.fromhex(x) for x in mem["vectorPath"]], vector_root):
            failures.append("opening %d: element path" % k)
        if not verify_path(t - first, kept, leaf(vector_root),
                           [bytes.fromhex(x) for x in mem["memoryPath"]], m[g][p]):
            failures.append("opening %d: vector root path" % k)

    try:
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
        import base64

        def s(x):
            b = x.encode("utf-8")
            return le32(len(b)) + b

        def by(x):
            return le32(len(x)) + x

        t = s("memory-signature/v1") + by(bytes.fromhex(roots["challengeDigest"])) \
            + by(bytes.fromhex(roots["commitmentDigest"])) + by(seed) \
            + by(bytes.fromhex(roots["memoryDigest"])) + le32(len(roots["devices"]))
        for d in roots["devices"]:
            t += le32(d["index"]) + le32(len(d["roots"]))
            t += b"".join(by(bytes.fromhex(r)) for r in d["roots"])
        t += s(roots["proverPublicKey"])
        if roots["proverPublicKey"] != commitment["proverPublicKey"]:
            failures.append("memory roots signed by another key than the commitment's")
        load_pem_public_key(roots["proverPublicKey"].encode()).verify(
            base64.b64decode(roots["signature"]), t)
        signed = "and its signature"
    except ImportError:
        signed = "(signature not checked: no 'cryptography' package)"

    for f in failures:
        print("FAIL", f)
    if failures:
        return 1
    print("memory phase of testdata/examples holds: digest, %d elements with their paths, %s"
          % (len(openings["openings"]), signed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
