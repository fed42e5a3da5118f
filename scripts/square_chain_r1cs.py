#!/usr/bin/env python3
"""Writes the square-chain circuit x_{i+1} = x_i^2 + x_0 as a circom .r1cs (iden3 format), for
ceremony benchmarks: `square_chain_r1cs.py LOG2 out.r1cs` makes 2^LOG2 - 3 constraints with two
public signals (the output x_n, the input x_0), i.e. a 2^LOG2 evaluation domain (snarkjs's rule).
The same circuit as zkinfer's SyntheticCircuits.squareChain."""
import struct
import sys

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def main():
    log2, out = int(sys.argv[1]), sys.argv[2]
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


if __name__ == "__main__":
    main()
