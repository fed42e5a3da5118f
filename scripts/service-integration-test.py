#!/usr/bin/env python3
"""Prover-service tests with the real parts (issue 17): `zkinfer serve` and `zkinfer worker` processes on loopback.

PostgreSQL (when ZKINFER_TEST_DATABASE is set, as scripts/with-postgres.sh does; required with ZKINFER_REQUIRE_POSTGRES=1):
  - 200 digits-MLP inference jobs over 3 external workers: every claim verifies (`zkinfer verify --batch`), each job
    has exactly one claim and no claim is stored twice;
  - a worker killed with SIGKILL while it holds a job's lease: that job is finished by another worker after the lease
    (attempt 2), with one claim;
  - the server killed and restarted in the middle of the run: no job lost or run twice;
  - 100 malformed requests: each a 4xx, and the database row counts do not change.
SQLite (`serve --data DIR`, in-process workers): the same functional checks on 60 jobs, with the server killed with
SIGKILL mid-run and restarted (its running jobs come back after the lease).
Then a bounded load test (scripts/service-load-test.py) reports throughput and p50/p99 latency.
Prints one PASS/FAIL line per check and "service: N passed, M failed"; exit 1 on any failure.
Standard library only (psql for PostgreSQL counts).
"""
import base64
import glob
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Z = os.environ.get("ZKINFER_BIN", os.path.join(ROOT, ".build/release/zkinfer"))
MODEL = os.path.join(ROOT, "Circuits/digits_mlp")
LEASE = "2"
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + (f" ({detail})" if detail else ""), flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(method, url, body=None, token=None, raw=None, headers=None, timeout=60):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, payload = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, payload = e.code, e.read()
    try:
        return status, json.loads(payload) if payload else None
    except ValueError:
        return status, payload


class Store:
    """Row counts and job rows, straight from the database."""

    def __init__(self, sqlite_path=None, url=None):
        self.sqlite_path, self.url = sqlite_path, url

    def rows(self, sql):
        if self.sqlite_path:
            con = sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, timeout=30)
            try:
                return [tuple(r) for r in con.execute(sql).fetchall()]
            finally:
                con.close()
        out = subprocess.run(["psql", self.url, "-tAF", "|", "-c", sql], check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("|")) for line in out.splitlines() if line]

    def counts(self):
        return tuple(int(self.rows(f"SELECT count(*) FROM {t}")[0][0]) for t in ("models", "jobs", "claims"))


class Server:
    def __init__(self, args, port, log):
        self.args, self.port, self.log = args, port, log
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([Z, "serve", "--port", str(self.port)] + self.args, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                if http("GET", self.url("/healthz"), timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def kill(self, sig=signal.SIGKILL):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=60)


def upload_model(server, token):
    body = {"name": "digits", "onnx": base64.b64encode(open(f"{MODEL}/model.onnx", "rb").read()).decode(),
            "calibration": json.load(open(f"{MODEL}/calibration.json")), "weights": "public", "input": "public"}
    status, answer = http("POST", server.url("/v1/models"), body, token)
    assert status == 202, (status, answer)
    for _ in range(1200):
        status, m = http("GET", server.url(f"/v1/models/{answer['model']}"))
        if m["state"] != "pending":
            break
        time.sleep(0.1)
    assert m["state"] == "ready", m
    return m


def malformed_requests(server, token, model_id):
    """100 requests a client can get wrong, each answered with a 4xx and storing nothing."""
    onnx = base64.b64encode(open(f"{MODEL}/model.onnx", "rb").read()).decode()
    good_model = {"name": "x", "onnx": onnx, "weights": "public", "input": "public"}
    sample = json.load(open(f"{MODEL}/input.json"))["input_data"][0]
    rng = random.Random(17)
    reqs = [
        ("POST", "/v1/models", good_model, None, None),                      # no token
        ("POST", "/v1/models", good_model, "wrong-token", None),             # wrong token
        ("POST", f"/v1/models/{model_id}/inferences", {"input_data": [sample]}, None, None),
        ("POST", "/v1/models", None, token, b"{not json"),
        ("POST", "/v1/models", dict(good_model, onnx="***not base64***"), token, None),
        ("POST", "/v1/models", dict(good_model, onnx=base64.b64encode(b"\x08\x07garbage").decode()), token, None),
        ("POST", "/v1/models", dict(good_model, weights="secret"), token, None),
        ("POST", "/v1/models", dict(good_model, input="sideways"), token, None),
        ("POST", "/v1/models", {"name": "x"}, token, None),
        ("POST", f"/v1/models/{model_id}/inferences", {"input_data": [sample[:10]]}, token, None),
        ("POST", f"/v1/models/{model_id}/inferences", {"input_data": [[1e9] * len(sample)]}, token, None),
        ("POST", f"/v1/models/{model_id}/inferences", {"input_data": "nope"}, token, None),
        ("POST", f"/v1/models/{model_id}/inferences", {"input_data": []}, token, None),
        ("POST", "/v1/models/00000000-0000-0000-0000-000000000000/inferences", {"input_data": [sample]}, token, None),
        ("GET", "/v1/models/unknown", None, None, None),
        ("GET", "/v1/jobs/unknown", None, None, None),
        ("GET", "/v1/claims/abc/def", None, None, None),
        ("POST", "/v1/verify", {"claim": {"claimVersion": 1}}, None, None),
        ("POST", "/v1/verify", None, None, b"[1,2"),
    ]
    full = len(open(f"{MODEL}/model.onnx", "rb").read())
    while len(reqs) < 100:
        # Truncated ONNX files and inputs with a random wrong length or a value out of range.
        k = rng.randrange(3)
        if k == 0:
            cut = base64.b64encode(open(f"{MODEL}/model.onnx", "rb").read()[:rng.randrange(1, full)]).decode()
            reqs.append(("POST", "/v1/models", dict(good_model, onnx=cut), token, None))
        elif k == 1:
            n = rng.choice([0, 1, len(sample) - 1, len(sample) + 1, 2 * len(sample)])
            reqs.append(("POST", f"/v1/models/{model_id}/inferences", {"input_data": [[0.5] * n]}, token, None))
        else:
            x = list(sample)
            x[rng.randrange(len(x))] = rng.choice([1e6, -1e6, 1e300])
            reqs.append(("POST", f"/v1/models/{model_id}/inferences", {"input_data": [x]}, token, None))
    statuses = []
    for method, path, body, tok, raw in reqs:
        statuses.append(http(method, server.url(path), body, tok, raw)[0])
    return statuses


def post_inferences(server, token, model_id, n, signed=lambda i: False):
    samples = json.load(open(f"{MODEL}/test_inputs.json"))["input_data"]
    jobs = []
    for i in range(n):
        status, answer = http("POST", server.url(f"/v1/models/{model_id}/inferences"),
                              {"input_data": [samples[i % len(samples)]], "sign": signed(i)}, token)
        assert status == 202, (status, answer)
        jobs.append(answer["job"])
    return jobs


def wait_jobs(server, jobs, timeout=900):
    """Polls until every job is done or failed (the server may be down meanwhile); returns {job: body}."""
    final, deadline = {}, time.time() + timeout
    while len(final) < len(jobs) and time.time() < deadline:
        for job in jobs:
            if job in final:
                continue
            try:
                status, body = http("GET", server.url(f"/v1/jobs/{job}"), timeout=10)
            except OSError:
                break  # server restarting
            if status == 200 and body["state"] in ("done", "failed"):
                final[job] = body
        time.sleep(0.2)
    return final


def verify_claims(tmp, claims, vk):
    with open(f"{tmp}/vk.json", "w") as f:
        json.dump(vk, f)
    with open(f"{tmp}/claims.jsonl", "w") as f:
        for c in claims:
            f.write(json.dumps(c) + "\n")
    r = subprocess.run([Z, "verify", "--batch", f"{tmp}/claims.jsonl", "--vk", f"{tmp}/vk.json", "--json"], capture_output=True, text=True)
    verdicts = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    return r.returncode, verdicts


def final_checks(label, store, final, jobs, model, tmp):
    check(f"{label}: every job ended", len(final) == len(jobs), f"{len(final)}/{len(jobs)}")
    done = [b for b in final.values() if b["state"] == "done"]
    check(f"{label}: every job done, none failed", len(done) == len(jobs), f"{len(done)} done")
    claims = [b["claim"] for b in done if b.get("claim")]
    check(f"{label}: every done job carries its claim", len(claims) == len(done))
    rc, verdicts = verify_claims(tmp, claims, model["verificationKey"])
    check(f"{label}: every claim verifies (zkinfer verify --batch)", rc == 0 and len(verdicts) == len(claims) and all(v["valid"] for v in verdicts),
          f"exit {rc}, {sum(v['valid'] for v in verdicts)}/{len(claims)} valid")
    ids = [(b["claim"]["model"]["modelDigest"], b.get("claimUrl")) for b in done]
    check(f"{label}: claims distinct", len(set(ids)) == len(ids))
    job_list = ",".join(f"'{j}'" for j in jobs)
    rows = store.rows(f"SELECT job, count(*) FROM claims WHERE job IN ({job_list}) GROUP BY job")
    check(f"{label}: exactly one stored claim per job", len(rows) == len(jobs) and all(int(r[1]) == 1 for r in rows), f"{len(rows)} jobs with claims")


def scenario_postgres(url, tmp):
    label = "postgres"
    db = f"zkinfer_it_{os.getpid()}"
    subprocess.run(["psql", url, "-tAc", f"CREATE DATABASE {db}"], check=True, capture_output=True)
    dburl = url.rsplit("/", 1)[0] + "/" + db
    store = Store(url=dburl)
    data = f"{tmp}/pg-data"
    log = open(f"{tmp}/pg-server.log", "ab")
    server = Server(["--database", dburl, "--data", data, "--workers", "0", "--lease-seconds", LEASE], free_port(), log)
    server.start()
    token = open(f"{data}/token").read().strip()

    def worker():
        return subprocess.Popen([Z, "worker", "--database", dburl, "--data", data, "--server", server.url(""), "--lease-seconds", LEASE,
                                 "--threads", "1"], stdout=log, stderr=subprocess.STDOUT)

    # Two workers as if on other machines: their own cache directories, models fetched from the server by digest,
    # claims signed by the server (they hold no host key and never see DATA).
    with open(f"{tmp}/pg-token", "w") as f:
        f.write(token + "\n")
    caches = [f"{tmp}/pg-remote-{i}" for i in range(2)]

    def remote_worker(cache):
        return subprocess.Popen([Z, "worker", "--database", dburl, "--server", server.url(""), "--token-file", f"{tmp}/pg-token",
                                 "--data", cache, "--lease-seconds", LEASE, "--threads", "1"], stdout=log, stderr=subprocess.STDOUT)
    workers = [worker()] + [remote_worker(c) for c in caches]
    remote_pids = [w.pid for w in workers[1:]]
    model = upload_model(server, token)
    before = store.counts()
    statuses = malformed_requests(server, token, model["id"])
    check(f"{label}: 100 malformed requests each get a 4xx", len(statuses) == 100 and all(400 <= s < 500 for s in statuses),
          f"statuses {sorted(set(statuses))}")
    check(f"{label}: malformed requests store nothing", store.counts() == before, f"{before} -> {store.counts()}")

    jobs = post_inferences(server, token, model["id"], 200, signed=lambda i: i % 2 == 0)
    signed_jobs = set(jobs[0::2])
    # SIGKILL a worker while it holds a lease: wait until one of its jobs is running, kill it, confirm the job was
    # still running under its lease at that moment.
    killed_job = None
    for attempt in range(40):
        victim = workers[0]
        rows = store.rows(f"SELECT id FROM jobs WHERE state = 'running' AND lease_owner LIKE '{victim.pid}-%'")
        if rows:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            after = store.rows(f"SELECT state, lease_owner FROM jobs WHERE id = '{rows[0][0]}'")
            workers[0] = worker()
            if after and after[0][0] == "running" and after[0][1].startswith(f"{victim.pid}-"):
                killed_job = rows[0][0]
                break
        time.sleep(0.02)
    check(f"{label}: a worker was killed with SIGKILL holding a job's lease", killed_job is not None)
    # Restart the server in the middle of the run (workers keep proving meanwhile).
    time.sleep(0.5)
    server.kill(signal.SIGKILL)
    time.sleep(1)
    server.start()
    final = wait_jobs(server, jobs)
    final_checks(label, store, final, jobs, model, tmp)
    if killed_job:
        b = final.get(killed_job, {})
        check(f"{label}: the killed worker's job was finished by another worker after the lease",
              b.get("state") == "done" and int(b.get("attempt", 0)) >= 2, f"attempt {b.get('attempt')}")
    attempts = store.rows("SELECT attempt, count(*) FROM jobs WHERE kind = 'inference' GROUP BY attempt")
    print(f"  attempts per job (attempt: jobs): {sorted((int(a), int(n)) for a, n in attempts)}", flush=True)
    # Remote workers: they proved jobs (signed ones included), with the server's files, and hold no host key.
    owners = store.rows("SELECT lease_owner FROM jobs WHERE kind = 'inference' AND state = 'done'")
    by_remote = [o[0] for o in owners if o[0] and int(o[0].split("-")[0]) in remote_pids]
    remote_jobs = {r[0] for r in store.rows("SELECT id, lease_owner FROM jobs WHERE kind = 'inference' AND state = 'done'")
                   if r[1] and int(r[1].split("-")[0]) in remote_pids}
    check(f"{label}: workers on other machines (--server, --token-file) proved jobs", len(by_remote) > 0 and len(remote_jobs & signed_jobs) > 0,
          f"{len(by_remote)} jobs, {len(remote_jobs & signed_jobs)} signed")
    print(f"  jobs by worker kind: {len(owners) - len(by_remote)} shared-data, {len(by_remote)} remote", flush=True)
    _, health = http("GET", server.url("/healthz"))
    sigs = [(j in signed_jobs, (final.get(j, {}).get("claim") or {}).get("signature")) for j in jobs]
    check(f"{label}: signed jobs carry the server's signature, unsigned ones none",
          all((s is not None and s.get("publicKey") == health["signer"]) if want else s is None for want, s in sigs))
    server_pk = glob.glob(f"{data}/models/{model['id']}/attempt-*/proving.key")
    cached = [f"{c}/models/{model['id']}/fetched/proving.key" for c in caches]
    same = all(os.path.exists(c) and open(c, "rb").read() == open(server_pk[0], "rb").read() for c in cached) if len(server_pk) == 1 else False
    check(f"{label}: remote workers' cached proving keys are the server's, and they hold no host key",
          same and not any(os.path.exists(f"{c}/host.key") for c in caches))
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        w.wait(timeout=120)
    server.kill(signal.SIGTERM)
    return server, dburl


def scenario_sqlite(tmp):
    label = "sqlite"
    data = f"{tmp}/sqlite-data"
    log = open(f"{tmp}/sqlite-server.log", "ab")
    server = Server(["--data", data, "--workers", "3", "--threads", "1", "--lease-seconds", LEASE], free_port(), log)
    server.start()
    token = open(f"{data}/token").read().strip()
    store = Store(sqlite_path=f"{data}/zkinfer.sqlite")
    model = upload_model(server, token)
    before = store.counts()
    statuses = malformed_requests(server, token, model["id"])
    check(f"{label}: 100 malformed requests each get a 4xx", len(statuses) == 100 and all(400 <= s < 500 for s in statuses),
          f"statuses {sorted(set(statuses))}")
    check(f"{label}: malformed requests store nothing", store.counts() == before)
    jobs = post_inferences(server, token, model["id"], 60)
    # Kill the server (and its in-process workers) while jobs run; the restarted server finishes them.
    for _ in range(200):
        if store.rows("SELECT count(*) FROM jobs WHERE state = 'running'")[0][0] > 0:
            break
        time.sleep(0.01)
    running = [r[0] for r in store.rows("SELECT id FROM jobs WHERE state = 'running'")]
    server.kill(signal.SIGKILL)
    check(f"{label}: server killed with SIGKILL while jobs ran", len(running) > 0, f"{len(running)} running")
    server.start()
    final = wait_jobs(server, jobs)
    final_checks(label, store, final, jobs, model, tmp)
    if running:
        b = final.get(running[0], {})
        check(f"{label}: a job running at the kill was re-run after its lease, once", b.get("state") == "done" and int(b.get("attempt", 0)) >= 2,
              f"attempt {b.get('attempt')}")
    return server, token, model


def main():
    if not os.path.exists(Z):
        sys.exit(f"{Z} not found: build with swift build -c release first")
    url = os.environ.get("ZKINFER_TEST_DATABASE")
    with tempfile.TemporaryDirectory(prefix="zkinfer-service-it-") as tmp:
        server, token, model = scenario_sqlite(tmp)
        # Bounded load test on the SQLite server (3 in-process workers, 1 prover thread each).
        r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts/service-load-test.py"), "--server", server.url(""),
                            "--token-file", f"{tmp}/sqlite-data/token", "--model", model["id"], "--input", f"{MODEL}/test_inputs.json",
                            "--inferences", "100", "--verifies", "200", "--concurrency", "8"], capture_output=True, text=True)
        print("  load test (SQLite, 3 workers): " + r.stdout.strip(), flush=True)
        check("load test: all inferences accepted, done and verified", r.returncode == 0, r.stderr.strip()[-300:])
        server.kill(signal.SIGTERM)
        if url:
            scenario_postgres(url, tmp)
        elif os.environ.get("ZKINFER_REQUIRE_POSTGRES") == "1":
            check("postgres: ZKINFER_TEST_DATABASE is set (ZKINFER_REQUIRE_POSTGRES=1; scripts/with-postgres.sh found no server)", False)
        else:
            print("SKIP postgres scenario: ZKINFER_TEST_DATABASE is not set (run under scripts/with-postgres.sh)")
    passed = sum(results)
    print(f"service: {passed} passed, {len(results) - passed} failed")
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
