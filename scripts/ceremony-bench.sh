#!/usr/bin/env bash
# Whole-process ceremony timings (wall seconds, peak RSS) for a square-chain circuit with a 2^K domain:
#   scripts/ceremony-bench.sh K [WORKDIR]
# Uses a prepared .ptau of power K+1 made from discarded secrets (`--insecure-prepared-for-benchmarks`:
# same layout and values as a real one; building a real one needs a group FFT that takes hours at K = 20).
set -euo pipefail
K=${1:?log2 of the domain}
W=${2:-/tmp/zkinfer-ceremony-bench-$K}
Z=${ZKINFER_BIN:-$(dirname "$0")/../.build/release/zkinfer}
mkdir -p "$W"
python3 "$(dirname "$0")/square_chain_r1cs.py" "$K" "$W/circuit.r1cs"
t() { local what=$1; shift; /usr/bin/time -f "$what: %e s wall, %U s user, %M KB peak" "$@" > /dev/null; }
[ -f "$W/p.ptau" ] || t "ptau (insecure, power $((K + 1)))" "$Z" ptau new $((K + 1)) -o "$W/p.ptau" --insecure-prepared-for-benchmarks
t "ceremony new" "$Z" ceremony new "$W/circuit.r1cs" "$W/p.ptau" -o "$W/0000.zkey"
t "ceremony contribute #1" "$Z" ceremony contribute "$W/0000.zkey" "$W/0001.zkey" --name one
t "ceremony contribute #2" "$Z" ceremony contribute "$W/0001.zkey" "$W/0002.zkey" --name two
t "ceremony verify (from the .ptau)" "$Z" ceremony verify "$W/circuit.r1cs" "$W/p.ptau" "$W/0002.zkey"
t "ceremony verify --from 0000.zkey" "$Z" ceremony verify --from "$W/0000.zkey" "$W/0002.zkey"
ls -l "$W"
