#!/usr/bin/env python3
"""Recomputes testdata/golden/vectors.json from the text of canonical-v1 alone (docs/protocol.md
sections 1 and 2), sharing no code with the Java implementation, and reports every value that
differs. Standard library only.

    python3 testdata/golden/crosscheck.py [path/to/vectors.json]

Exits 0 when every value matches; takes about ten seconds. The FMA chains are done in exact
integer arithmetic (math.fma only arrived in Python 3.13).
"""
import hashlib
import json
import struct
import sys
from decimal import Decimal
from pathlib import Path

M0, M1, W0, W1, MASK = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85, 0xFFFFFFFF


def philox(c, k):
    """Philox4x32-10 (Random123): counter c[0..3], key k[0..1] -> x[0..3]."""
    c0, c1, c2, c3 = c
    k0, k1 = k
    for _ in range(10):
        p0, p1 = M0 * c0, M1 * c2
        c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & MASK, (p0 >> 32) ^ c3 ^ k1, p0 & MASK
        k0, k1 = (k0 + W0) & MASK, (k1 + W1) & MASK
    return c0, c1, c2, c3


def element(key, e, c1, g, c3):
    """Returns (u, value * 2^53 as an exact integer): value = (u >>> 11) * 2^-52 - 1."""
    x = philox((e >> 1, c1, g, c3), key)
    u = (x[1] << 32 | x[0]) if e % 2 == 0 else (x[3] << 32 | x[2])
    return u, ((u >> 11) << 1) - (1 << 53)


def as_float(scaled, shift):
    return scaled / (1 << shift)  # int / int is correctly rounded in CPython


def matrix(key, n, c1, g, c3):
    return [element(key, e, c1, g, c3)[1] for e in range(n * n)]


def product_rows(a, b, n):
    """C = A x B by the ascending-k FMA chain. Every operand is a multiple of 2^-53, so every
    product and every rounded partial sum is a multiple of 2^-106: work in those units and
    round each step's exact sum once, which is what fma does."""
    scale = 1 << 106
    c = []
    for i in range(n):
        row = a[i * n:(i + 1) * n]
        for j in range(n):
            acc = 0
            for k in range(n):
                acc = int(as_float(row[k] * b[k * n + j] + acc, 106) * scale)
            c.append(acc)
    return [as_float(v, 106) for v in c]


def bits(x):
    """(exact decimal value, raw IEEE 754 bits as an integer)."""
    return Decimal(x), struct.unpack("<Q", struct.pack("<d", x))[0]


def leaf(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


def row_bytes(c, n, i):
    return b"".join(struct.pack("<d", v) for v in c[i * n:(i + 1) * n])


def main():
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("vectors.json"))
    gold = json.loads(path.read_text())
    bad = []

    def check(what, got, want):
        if got != want:
            bad.append(f"{what}: computed {got}, file has {want}")

    for v in gold["philoxKnownAnswers"]["vectors"]:
        out = philox([int(w, 16) for w in v["counter"]], [int(w, 16) for w in v["key"]])
        check(f"philox {v['counter']}", [f"{w:08x}" for w in out], v["output"])
    seed = bytes.fromhex(gold["seed"])
    h = hashlib.sha256(b"philox-key/v1" + seed).digest()
    key = (int.from_bytes(h[0:4], "little"), int.from_bytes(h[4:8], "little"))
    check("philoxKey", [f"{key[0]:08x}", f"{key[1]:08x}"],
          [gold["philoxKey"]["k0"], gold["philoxKey"]["k1"]])
    n = gold["elements"]["n"]
    for el in gold["elements"]["entries"]:
        a = el["operand"] == "A"
        e = el["i"] * n + el["j"]
        u, scaled = element(key, e, el["t"] if a else 0, el["g"], 0 if a else 1)
        x = as_float(scaled, 53)
        dec, raw = bits(x)
        where = f"{el['operand']} g={el['g']} t={el.get('t')} ({el['i']},{el['j']})"
        check(where + " u", f"{u:016x}", el["u"])
        check(where + " bits", f"{raw:016x}", el["bits"])
        check(where + " decimal", dec, Decimal(el["decimal"]))
    n = gold["products"]["n"]
    cache = {}
    for p in gold["products"]["entries"]:
        g, t = p["g"], p["t"]
        if (g, t) not in cache:
            cache[(g, t)] = product_rows(matrix(key, n, t, g, 0), matrix(key, n, 0, g, 1), n)
        dec, raw = bits(cache[(g, t)][p["i"] * n + p["j"]])
        check(f"C({g},{t})[{p['i']}][{p['j']}] bits", f"{raw:016x}", p["bits"])
        check(f"C({g},{t})[{p['i']}][{p['j']}] decimal", dec, Decimal(p["decimal"]))
    for cfg in gold["configs"]:
        n, G, T = cfg["n"], cfg["devices"], cfg["iterations"]
        digest = bytes.fromhex(cfg["challengeDigest"])
        check("challengeDigest", digest, hashlib.sha256(b"golden-challenge").digest())
        device_roots = []
        for g in range(G):
            b = matrix(key, n, 0, g, 1)
            roots = []
            for t in range(T):
                c = product_rows(matrix(key, n, t, g, 0), b, n)
                leaves = [leaf(row_bytes(c, n, i)) for i in range(n)]
                check(f"n={n} row 0 leaf of C({g},{t})", leaves[0].hex(),
                      cfg["firstRowLeaves"][g * T + t])
                roots.append(mth(leaves))
                check(f"n={n} r({g},{t})", roots[-1].hex(), cfg["matrixRoots"][g][t])
            device_roots.append(mth([leaf(r) for r in roots]))
            check(f"n={n} R({g})", device_roots[-1].hex(), cfg["deviceRoots"][g])
        commitment = hashlib.sha256(b"commitment/v1" + digest + G.to_bytes(4, "little")
                                    + b"".join(device_roots)).digest()
        check(f"n={n} commitmentDigest", commitment.hex(), cfg["commitmentDigest"])
    for line in bad:
        print(line)
    print(f"{path}: {'OK' if not bad else str(len(bad)) + ' mismatches'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
