#!/usr/bin/env python3
"""Bounded load test of a running `zkinfer serve` on loopback (issue 17).

Sends a fixed number of requests and stops by itself:
  1. POST /v1/models/{id}/inferences  (--inferences N, --concurrency C): latency of the 202 answers;
  2. waits until every job is done (or failed) and reports jobs/s from the first POST to the last job done;
  3. POST /v1/verify with one of the claims (--verifies M, same concurrency): latency of the verdicts.
Prints one JSON object: throughput and p50/p99 latency (ms) of each kind, jobs/s, failures.
Standard library only. Usage:
  scripts/service-load-test.py --server http://127.0.0.1:8080 --token-file DATA/token --model ID \
      --input Circuits/digits_mlp/test_inputs.json [--inferences 200] [--verifies 200] [--concurrency 8]
"""
import argparse
import concurrent.futures
import json
import statistics
import sys
import time
import urllib.error
import urllib.request


def request(method, url, body=None, token=None, timeout=120):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, payload = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, payload = e.code, e.read()
    elapsed = time.perf_counter() - start
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = None
    return status, parsed, elapsed


def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def summary(latencies, wall):
    return {
        "requests": len(latencies),
        "throughput_per_s": round(len(latencies) / wall, 2) if wall > 0 else None,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 99) * 1000, 2) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 2) if latencies else None,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default="http://127.0.0.1:8080")
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--model", required=True, help="a model id that is ready (GET /v1/models/ID says state ready)")
    ap.add_argument("--input", required=True, help="EZKL-shaped inputs; the samples are cycled")
    ap.add_argument("--inferences", type=int, default=200)
    ap.add_argument("--verifies", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--timeout", type=float, default=1800, help="seconds to wait for all jobs")
    a = ap.parse_args()
    token = open(a.token_file).read().strip()
    samples = json.load(open(a.input))["input_data"]
    base = a.server.rstrip("/")

    # 1. Inferences.
    def post_inference(i):
        return request("POST", f"{base}/v1/models/{a.model}/inferences", {"input_data": [samples[i % len(samples)]]}, token)

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(a.concurrency) as pool:
        posted = list(pool.map(post_inference, range(a.inferences)))
    post_wall = time.perf_counter() - start
    jobs = [p[1]["job"] for p in posted if p[0] == 202 and p[1] and "job" in p[1]]
    rejected = [p[0] for p in posted if p[0] != 202]

    # 2. Wait for the jobs.
    pending, done, failed, claims = set(jobs), 0, 0, []
    deadline = time.time() + a.timeout
    while pending and time.time() < deadline:
        for job in list(pending):
            status, body, _ = request("GET", f"{base}/v1/jobs/{job}")
            if status == 200 and body and body.get("state") in ("done", "failed"):
                pending.discard(job)
                if body["state"] == "done":
                    done += 1
                    if len(claims) < 4 and body.get("claim"):
                        claims.append(body["claim"])
                else:
                    failed += 1
        if pending:
            time.sleep(0.05)
    jobs_wall = time.perf_counter() - start

    # 3. Verifications.
    verify_lat, verify_wall, verdicts = [], 0.0, {"valid": 0, "invalid": 0, "error": 0}
    if claims and a.verifies > 0:
        def post_verify(i):
            return request("POST", f"{base}/v1/verify", {"claim": claims[i % len(claims)], "model": a.model})
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(a.concurrency) as pool:
            answers = list(pool.map(post_verify, range(a.verifies)))
        verify_wall = time.perf_counter() - start
        verify_lat = [e for _, _, e in answers]
        for status, body, _ in answers:
            if status != 200 or not body:
                verdicts["error"] += 1
            elif body.get("valid") is True:
                verdicts["valid"] += 1
            else:
                verdicts["invalid"] += 1

    report = {
        "inferences": dict(summary([e for _, _, e in posted], post_wall), rejected=len(rejected)),
        "jobs": {"done": done, "failed": failed, "unfinished": len(pending), "seconds": round(jobs_wall, 3),
                 "jobs_per_s": round(done / jobs_wall, 2) if jobs_wall > 0 else None},
        "verify": dict(summary(verify_lat, verify_wall), **verdicts),
        "concurrency": a.concurrency,
    }
    print(json.dumps(report))
    ok = not rejected and failed == 0 and not pending and verdicts["invalid"] == 0 and verdicts["error"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
