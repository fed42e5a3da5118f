#!/usr/bin/env bash
# scripts/prover-tri-bench.sh K RUNS: rapidsnark, zkinfer BEFORE and AFTER builds interleaved on the same files
# (run scripts/prover-bench.sh K first to make the files). Env: RAPIDSNARK, BEFORE, AFTER (paths to the binaries).
set -euo pipefail
K=${1:?log2 of the domain}; RUNS=${2:-7}; W=/tmp/zkinfer-prover-bench-$K; cd $W
: > tri.txt
for i in $(seq $RUNS); do
  /usr/bin/time -f "rapidsnark %e %U %M" -a -o tri.txt "${RAPIDSNARK:?}" final.zkey witness.wtns rs-proof.json rs-public.json
  /usr/bin/time -f "before %e %U %M" -a -o tri.txt "${BEFORE:?}" groth16 prove --r1cs circuit.r1cs --wtns witness.wtns --zkey final.zkey -o zk --threads 2 --quiet >/dev/null
  /usr/bin/time -f "after %e %U %M" -a -o tri.txt "${AFTER:?}" groth16 prove --r1cs circuit.r1cs --wtns witness.wtns --zkey final.zkey -o zk2 --threads 2 --quiet >/dev/null
done
"$AFTER" verify --vk vk.json --proof zk2/proof.json --public zk2/public.json >/dev/null && echo "after's proof verifies"
python3 - $K <<'P'
import statistics, sys
r = {}
for l in open("tri.txt"):
    n, w, u, m = l.split(); r.setdefault(n, []).append((float(w), float(u), int(m)))
rs = statistics.median(w for w, _, _ in r["rapidsnark"])
for n, v in r.items():
    w = statistics.median(x[0] for x in v); u = statistics.median(x[1] for x in v); m = statistics.median(x[2] for x in v) / 1024
    print(f"2^{sys.argv[1]} {n:10s} wall median {w:.2f} s (runs {', '.join(f'{x[0]:.2f}' for x in v)}), user {u:.2f} s, peak {m:.0f} MB, ratio {w/rs:.2f}x")
# per-round ratios
rounds = list(zip(r["rapidsnark"], r["before"], r["after"]))
print("per-round after/rapidsnark:", ", ".join(f"{a[0]/x[0]:.2f}" for x, b, a in rounds))
print("per-round before/rapidsnark:", ", ".join(f"{b[0]/x[0]:.2f}" for x, b, a in rounds))
P
