#!/usr/bin/env python3
"""Writes the square-chain circuit x_{i+1} = x_i^2 + x_0 as a circom .r1cs (iden3 format), for
ceremony and prover benchmarks: `square_chain_r1cs.py LOG2 out.r1cs [out.wtns]` makes 2^LOG2 - 3
constraints with two public signals (the output x_n, the input x_0), i.e. a 2^LOG2 evaluation domain
(snarkjs's rule), and optionally a satisfying witness (iden3 .wtns, version 2) for x_0 = 3.
The same circuit as zkinfer's SyntheticCircuits.squareChain."""
import struct
import sys

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def main():
    log2, out = int(sys.argv[1]), sys.argv[2]
    wtns = sys.argv[3] if len(sys.argv) > 3 else None
    n = (1 << log2) - 3
    # Wires: 0 one, 1 x_n (public output), 2 x_0 (public input), 3.. x_1 ... x_{n-1} (private).
    def wire(i):
        return 2 if i == 0 else 1 if i == n else 2 + i
    one = (1).to_bytes(32, "little")
    minus_one = (R - 1).to_bytes(32, "little")
    body = bytearray()
    for i in range(n):
        t = struct.pack("<I", 1) + struct.pack("<I", wire(i)) + one
        body += t + t
        body += struct.pack("<I", 2) + struct.pack("<I", wire(i + 1)) + one + struct.pack("<I", wire(0)) + minus_one
    n_wires = n + 2
    header = struct.pack("<I", 32) + R.to_bytes(32, "little") + struct.pack("<IIIIQI", n_wires, 1, 1, 0, n_wires, n)
    labels = b"".join(struct.pack("<Q", i) for i in range(n_wires))
    with open(out, "wb") as f:
        f.write(b"r1cs" + struct.pack("<II", 1, 3))
        for t, b in ((1, header), (2, bytes(body)), (3, labels)):
            f.write(struct.pack("<IQ", t, len(b)) + b)
    if wtns:
        xs = [3]
        for _ in range(n):
            xs.append((xs[-1] * xs[-1] + xs[0]) % R)
        values = [0] * n_wires
        values[0] = 1
        for i, x in enumerate(xs):
            values[wire(i)] = x
        header = struct.pack("<I", 32) + R.to_bytes(32, "little") + struct.pack("<I", n_wires)
        body = b"".join(v.to_bytes(32, "little") for v in values)
        with open(wtns, "wb") as f:
            f.write(b"wtns" + struct.pack("<II", 2, 2))
            for t, b in ((1, header), (2, body)):
                f.write(struct.pack("<IQ", t, len(b)) + b)


if __name__ == "__main__":
    main()
