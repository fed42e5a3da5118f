"""EVM tests of zkinfer's exported Vyper verifier, in titanoboa's in-process EVM (py-evm with the
BN254 precompiles 0x06/0x07/0x08). Run by scripts/evm-test.sh, part of `make test`.

Usage: python test_evm_verifier.py ZKINFER_BINARY FIXTURES_DIR WORK_DIR
Prints one line per check and a closing "evm: N passed, M failed"; exits non-zero on any failure.
"""
import json
import os
import subprocess
import sys

import boa
from eth_utils import keccak

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583

zkinfer, fixtures, work = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(work, exist_ok=True)
passed = failed = 0


def check(name, condition):
    global passed, failed
    if condition:
        passed += 1
    else:
        failed += 1
        print("FAIL", name)


def run(*args):
    return subprocess.check_output([zkinfer, *args], text=True)


def calldata(proof, public):
    d = json.loads(run("export", "calldata", "--proof", proof, "--public", public, "--json"))
    a = [int(x) for x in d["a"]]
    b = [[int(x) for x in row] for row in d["b"]]
    c = [int(x) for x in d["c"]]
    inputs = [int(x) for x in d["input"]]
    return a, b, c, inputs, d["calldata"]


def calldata_gas(hex_data):
    raw = bytes.fromhex(hex_data[2:])
    return sum(16 if byte else 4 for byte in raw)


def exercise(label, vk, proof, public):
    contract_path = os.path.join(work, label + ".vy")
    run("export", "verifier", "--vk", vk, "--lang", "vyper", "-o", contract_path)
    verifier = boa.load(contract_path)
    a, b, c, inputs, hex_data = calldata(proof, public)

    # The hex calldata matches an independent ABI encoding (eth_utils' Keccak for the selector).
    signature = f"verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[{len(inputs)}])"
    words = a + b[0] + b[1] + c + inputs
    expected = "0x" + (keccak(text=signature)[:4] + b"".join(w.to_bytes(32, "big") for w in words)).hex()
    check(label + ": calldata hex matches an independent ABI encoding", hex_data == expected)

    boa.env.reset_gas_used()
    ok = verifier.verifyProof(a, b, c, inputs)
    gas = boa.env.get_gas_used()
    check(label + ": valid proof verifies", ok is True)
    floor = 181_000 + 6_150 * len(inputs)
    print(f"{label}: valid proof -> {ok}; execution gas {gas} (precompile floor {floor}, "
          f"+{100 * (gas - floor) / floor:.1f}%), calldata {calldata_gas(hex_data)} gas, "
          f"{len(inputs)} public input(s)")

    # Tampered variants: every one must return False (not revert).
    variants = []
    for i in range(len(inputs)):
        bumped = list(inputs); bumped[i] = (bumped[i] + 1) % R
        variants.append((f"input[{i}] + 1", a, b, c, bumped))
        wrapped = list(inputs); wrapped[i] = inputs[i] + R
        variants.append((f"input[{i}] + r", a, b, c, wrapped))
    for i in range(2):
        a2 = list(a); a2[i] = (a2[i] + 1) % Q
        variants.append((f"a[{i}] changed", a2, b, c, inputs))
        c2 = list(c); c2[i] = (c2[i] + 1) % Q
        variants.append((f"c[{i}] changed", a, b, c2, inputs))
        a3 = list(a); a3[i] = a3[i] + Q
        variants.append((f"a[{i}] + q", a3, b, c, inputs))
    for i in range(2):
        for j in range(2):
            b2 = [list(row) for row in b]; b2[i][j] = (b2[i][j] + 1) % Q
            variants.append((f"b[{i}][{j}] changed", a, b2, c, inputs))
    variants.append(("A and C swapped", c, b, a, inputs))
    variants.append(("B coordinates in snarkjs JSON order (real part first)", a, [[b[0][1], b[0][0]], [b[1][1], b[1][0]]], c, inputs))
    variants.append(("A negated", [a[0], (Q - a[1]) % Q], b, c, inputs))
    for name, va, vb, vc, vi in variants:
        try:
            result = verifier.verifyProof(va, vb, vc, vi)
        except Exception as e:  # a revert would be a bug: the contract must return false
            result = f"reverted: {e.__class__.__name__}"
        check(f"{label}: {name} -> False", result is False)
    print(f"{label}: {len(variants)} tampered variants checked")


sets = [
    ("circom_0x79de", "circom-multiplier-circuit-0x79de"),
    ("phonbopit", "hello-snarkjs-phonbopit"),
    ("verifiedanon", "sample-circom-groth16-verifiedanon"),
    ("garaga", "garaga-snarkjs-bn254"),
]
for label, directory in sets:
    base = os.path.join(fixtures, directory)
    exercise(label, os.path.join(base, "verification_key.json"), os.path.join(base, "proof.json"), os.path.join(base, "public.json"))

# A proof made by zkinfer itself (setup + prove over a circom r1cs) also verifies on chain.
m1000 = os.path.join(fixtures, "snarkjs-test-groth16-multiplier1000")
keys, out = os.path.join(work, "keys"), os.path.join(work, "out")
run("groth16", "setup", os.path.join(m1000, "circuit.r1cs"), "-o", keys, "--quiet")
run("groth16", "prove", "--r1cs", os.path.join(m1000, "circuit.r1cs"), "--wtns", os.path.join(m1000, "witness.wtns"),
    "--pk", os.path.join(keys, "proving.key"), "-o", out, "--quiet")
exercise("zkinfer_multiplier1000", os.path.join(keys, "verification_key.json"), os.path.join(out, "proof.json"), os.path.join(out, "public.json"))

# A key from a multi-party ceremony run entirely with zkinfer (phase 1: new, two contributions,
# prepare; phase 2: new, two contributions, beacon), proving with `groth16 prove --zkey`.
cer = os.path.join(work, "ceremony")
os.makedirs(cer, exist_ok=True)
c = lambda name: os.path.join(cer, name)
run("ptau", "new", "10", "-o", c("p0.ptau"))
run("ptau", "contribute", c("p0.ptau"), c("p1.ptau"), "--name", "alice")
run("ptau", "contribute", c("p1.ptau"), c("p2.ptau"), "--name", "bob")
run("ptau", "prepare", c("p2.ptau"), c("pf.ptau"))
run("ptau", "verify", c("pf.ptau"))
r1cs = os.path.join(m1000, "circuit.r1cs")
run("ceremony", "new", r1cs, c("pf.ptau"), "-o", c("k0.zkey"))
run("ceremony", "contribute", c("k0.zkey"), c("k1.zkey"), "--name", "host")
run("ceremony", "contribute", c("k1.zkey"), c("k2.zkey"), "--name", "verifier")
run("ceremony", "beacon", c("k2.zkey"), c("kf.zkey"), "0123456789abcdef", "10", "--name", "beacon")
run("ceremony", "verify", r1cs, c("pf.ptau"), c("kf.zkey"))
run("ceremony", "export-vk", c("kf.zkey"), "-o", c("vk.json"))
run("groth16", "prove", "--r1cs", r1cs, "--wtns", os.path.join(m1000, "witness.wtns"), "--zkey", c("kf.zkey"), "-o", c("out"), "--quiet")
exercise("zkinfer_ceremony_multiplier1000", c("vk.json"), c("out/proof.json"), c("out/public.json"))

# A sample model's claim (digits MLP, Circuits/digits_mlp) verifies on chain: its public.json is the
# statement, the input and the output, so a contract can act on a proven classification.
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
digits = os.path.join(repo, "Circuits", "digits_mlp")
if os.path.isdir(digits):
    mdir, mout = os.path.join(work, "digits"), os.path.join(work, "digits-out")
    run("compile", os.path.join(digits, "model.onnx"), "-o", mdir, "--calibrate", os.path.join(digits, "calibration.json"), "--quiet")
    run("setup", mdir, "--quiet")
    run("prove", mdir, "--input", os.path.join(digits, "input.json"), "-o", mout, "--quiet")
    exercise("zkinfer_digits_mlp", os.path.join(mdir, "verification_key.json"), os.path.join(mout, "proof.json"), os.path.join(mout, "public.json"))

print(f"evm: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
