#!/usr/bin/env bash
# Batch verification throughput (issue 17), whole process, same run: N digits-MLP claims verified
#   (a) one `zkinfer verify` process per claim (the first 100 claims),
#   (b) `verify --batch --one-at-a-time` (every check per claim, each proof's own pairing check),
#   (c) `verify --batch` (the combined check), at 1 and 2 threads, alternating (b) and (c) RUNS times.
# Usage: scripts/batch-verify-bench.sh [N=1000] [RUNS=3] [WORKDIR=/tmp/zkinfer-batch-bench]
set -euo pipefail
N=${1:-1000}; RUNS=${2:-3}; W=${3:-/tmp/zkinfer-batch-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd); Z=$ROOT/.build/release/zkinfer; M=$ROOT/Circuits/digits_mlp
[ -x "$Z" ] || (cd "$ROOT" && swift build -c release --product zkinfer)
mkdir -p "$W"; cd "$W"
if [ ! -f d/verification_key.json ]; then
  "$Z" compile "$M/model.onnx" -o d --calibrate "$M/calibration.json" --quiet >/dev/null
  "$Z" setup d --quiet >/dev/null
fi
python3 - "$M/test_inputs.json" <<'P'
import json, sys, os
os.makedirs("inputs", exist_ok=True)
for i, x in enumerate(json.load(open(sys.argv[1]))["input_data"]):
    json.dump({"input_data": [x]}, open(f"inputs/{i}.json", "w"))
P
K=$(ls inputs | wc -l)
mkdir -p claims
for i in $(seq 0 $((N - 1))); do
  c=claims/$(printf %05d "$i"); [ -f "$c/claim.json" ] || "$Z" prove d --input "inputs/$((i % K)).json" -o "$c" --quiet --threads 1 >/dev/null
done
start=$(date +%s.%N)
for i in $(seq 0 99); do "$Z" verify "claims/$(printf %05d "$i")/claim.json" --vk d/verification_key.json >/dev/null; done
end=$(date +%s.%N)
echo "one process per claim: $(python3 -c "print(f'{100/($end-$start):.0f}')") claims/s (100 claims)"
for r in $(seq 1 "$RUNS"); do
  for t in 1 2; do
    for mode in --one-at-a-time ""; do
      s=$(date +%s.%N)
      "$Z" verify --batch claims --vk d/verification_key.json --threads $t $mode | tail -1 | sed "s/^/run $r, $t thread(s) ${mode:-combined}: /"
      e=$(date +%s.%N)
      echo "  whole process: $(python3 -c "print(f'{$N/($e-$s):.0f}')") claims/s"
    done
  done
done
