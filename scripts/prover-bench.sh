#!/usr/bin/env bash
# Whole-process Groth16 proving from a snarkjs-made .zkey, zkinfer against rapidsnark on the same files:
#   scripts/prover-bench.sh K [RUNS] [WORKDIR]
# The square chain x_{i+1} = x_i^2 + x_0 with 2^K - 3 constraints (a 2^K domain) and its witness
# (scripts/square_chain_r1cs.py), a prepared .ptau of power K+1 from discarded secrets, `ceremony new` and one
# contribution (the .zkey is byte for byte what snarkjs writes for these inputs). Then RUNS rounds (default 5) of
# `zkinfer groth16 prove --zkey --threads 2` and, when RAPIDSNARK=/path/to/prover is set, rapidsnark's
# `prover final.zkey witness.wtns proof.json public.json`, alternating; prints every run and the medians
# (wall seconds, peak RSS). Every proof is checked with `zkinfer verify` (rapidsnark writes no "curve" field;
# zkinfer accepts that). rapidsnark is not part of zkinfer: build it from its public source yourself.
set -euo pipefail
K=${1:?log2 of the domain}
RUNS=${2:-5}
W=${3:-/tmp/zkinfer-prover-bench-$K}
HERE=$(cd "$(dirname "$0")" && pwd)
Z=${ZKINFER_BIN:-$HERE/../.build/release/zkinfer}
mkdir -p "$W"
cd "$W"
if [ ! -f final.zkey ]; then
  python3 "$HERE/square_chain_r1cs.py" "$K" circuit.r1cs witness.wtns
  "$Z" ptau new $((K + 1)) -o p.ptau --insecure-prepared-for-benchmarks > /dev/null 2>&1
  "$Z" ceremony new circuit.r1cs p.ptau -o 0000.zkey > /dev/null
  "$Z" ceremony contribute 0000.zkey final.zkey --name bench --entropy "prover-bench" > /dev/null
  "$Z" ceremony export-vk final.zkey -o vk.json > /dev/null
fi
: > times.txt
for i in $(seq "$RUNS"); do
  if [ -n "${RAPIDSNARK:-}" ]; then
    /usr/bin/time -f "rapidsnark %e %M" -a -o times.txt "$RAPIDSNARK" final.zkey witness.wtns rs-proof.json rs-public.json
    "$Z" verify --vk vk.json --proof rs-proof.json --public rs-public.json > /dev/null
  fi
  /usr/bin/time -f "zkinfer %e %M" -a -o times.txt "$Z" groth16 prove --r1cs circuit.r1cs --wtns witness.wtns --zkey final.zkey \
    -o zk --threads 2 --quiet > /dev/null
  "$Z" verify --vk vk.json --proof zk/proof.json --public zk/public.json > /dev/null
done
python3 - "$K" <<'PY'
import statistics, sys
runs = {}
for line in open("times.txt"):
    name, wall, kb = line.split()
    runs.setdefault(name, []).append((float(wall), int(kb)))
med = {n: (statistics.median(w for w, _ in r), statistics.median(k for _, k in r) / 1024) for n, r in runs.items()}
for n, r in runs.items():
    print(f"2^{sys.argv[1]} {n}: runs " + ", ".join(f"{w:.2f} s" for w, _ in r) + f"; median {med[n][0]:.2f} s, {med[n][1]:.0f} MB peak")
if "rapidsnark" in med:
    print(f"2^{sys.argv[1]} zkinfer / rapidsnark: {med['zkinfer'][0] / med['rapidsnark'][0]:.2f}x time, {med['zkinfer'][1] / med['rapidsnark'][1]:.2f}x memory")
PY
