#!/usr/bin/env bash
# Prover-service figures (issue 17), on loopback, release build, same run:
#   - bare `zkinfer prove` whole process, N times in a row (the baseline: jobs/s of one process at a time);
#   - `zkinfer serve --data TMP --workers W` for W = 1, 2, 3: a bounded load test (scripts/service-load-test.py):
#     jobs/s, p50/p99 of POST …/inferences and POST /v1/verify.
# Usage: [ZKINFER=BINARY] scripts/service-bench.sh [MODEL=digits_mlp] [N=60] [WORKERS="1 2 3"] [PORT=18480]
set -euo pipefail
MODEL=${1:-digits_mlp}; N=${2:-60}; WORKERS=${3:-"1 2 3"}; PORT=${4:-18480}
ROOT=$(cd "$(dirname "$0")/.." && pwd); Z=${ZKINFER:-$ROOT/.build/release/zkinfer}; M=$ROOT/Circuits/$MODEL
[ -x "$Z" ] || (cd "$ROOT" && swift build -c release --product zkinfer)
W=$(mktemp -d /tmp/zkinfer-service-bench.XXXXXX); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
INPUTS=$M/test_inputs.json; [ -f "$INPUTS" ] || INPUTS=$M/input.json

# Baseline: compile + setup once, then N whole-process proofs (each its own process, as a host would run them).
"$Z" compile "$M/model.onnx" -o "$W/bare" --calibrate "$M/calibration.json" --quiet >/dev/null
"$Z" setup "$W/bare" --quiet >/dev/null
python3 - "$INPUTS" "$W/in" <<'P'
import json, os, sys
os.makedirs(sys.argv[2], exist_ok=True)
for i, x in enumerate(json.load(open(sys.argv[1]))["input_data"]):
    json.dump({"input_data": [x]}, open(f"{sys.argv[2]}/{i}.json", "w"))
P
K=$(ls "$W/in" | wc -l)
s=$(date +%s.%N)
for i in $(seq 0 $((N - 1))); do "$Z" prove "$W/bare" --input "$W/in/$((i % K)).json" -o "$W/bare-out" --quiet >/dev/null; done
e=$(date +%s.%N)
echo "{\"model\": \"$MODEL\", \"bare_prove\": {\"proofs\": $N, \"seconds\": $(python3 -c "print(round($e-$s,3))"), \"jobs_per_s\": $(python3 -c "print(round($N/($e-$s),2))")}}"

for workers in $WORKERS; do
  D=$W/data-$workers; mkdir -p "$D"
  "$Z" serve --data "$D" --port "$PORT" --workers "$workers" > "$W/serve-$workers.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  MODEL_ID=$(python3 - "$M" "$D/token" "$PORT" <<'P'
import base64, json, sys, time, urllib.request
m, token, port = sys.argv[1], open(sys.argv[2]).read().strip(), sys.argv[3]
body = {"name": m.rsplit("/", 1)[-1], "onnx": base64.b64encode(open(f"{m}/model.onnx", "rb").read()).decode(),
        "calibration": json.load(open(f"{m}/calibration.json")), "weights": "public", "input": "public"}
req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/models", data=json.dumps(body).encode(), method="POST",
                             headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
model = json.load(urllib.request.urlopen(req))["model"]
for _ in range(6000):
    state = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models/{model}"))["state"]
    if state != "pending":
        break
    time.sleep(0.1)
assert state == "ready", state
print(model)
P
)
  printf '{"workers": %s, "load": ' "$workers"
  python3 "$ROOT/scripts/service-load-test.py" --server "http://127.0.0.1:$PORT" --token-file "$D/token" --model "$MODEL_ID" \
    --input "$INPUTS" --inferences "$N" --verifies "$N" --concurrency 8 | tr -d '\n'
  echo "}"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
done
