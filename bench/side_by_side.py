"""Side-by-side benchmark driver (issue 12): drives one running server (Chroma or Vermilion) with the official Python
client (chromadb-client) and with plain HTTP that sends the same JSON bodies the client sends, through scenarios
(a) ingest, (b) queries per 10 s window right after ingest, (c) settled sequential queries with recall@10,
(d) concurrent query clients and (e) filtered query / get by ids / get with where + limit.

  side_by_side.py run --system NAME --url URL --pid PID --data DIR --out FILE [--quick] [--clients official,http]
                      [--phase-hook CMD] [--only-profile]
  side_by_side.py report --results FILE.json [FILE.json ...] --json OUT --md OUT.md --png OUT.png [--note TEXT]

Started by bench/side-by-side.sh, which owns the servers; this file only talks HTTP to them.
"""
import argparse
import base64
import faulthandler
import functools
import http.client
import json
import multiprocessing as mp
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse

import numpy as np
import orjson

TENANT, DATABASE = "default_tenant", "default_database"
HEADERS = {"Content-Type": "application/json", "User-Agent": "Chroma Python Client v1.5.9 (https://github.com/chroma-core/chroma)"}

# Seconds one request may take before the driver reports it instead of waiting (--request-timeout).
REQUEST_TIMEOUT = 60.0


def set_request_timeout(seconds):
    global REQUEST_TIMEOUT
    REQUEST_TIMEOUT = seconds


class Stalled(RuntimeError):
    """A request or a worker process did not answer in time: reported with what it was doing, never waited on."""


# ---------------------------------------------------------------------------------------------------------- data
MAX_DOC_BYTES = 16384
D = {}  # the dataset, loaded once in the parent; forked workers share it


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    dim = raw[0]
    return raw.reshape(-1, dim + 1)[:, 1:].copy().view(dtype)


def load_data(folder, n):
    base = read_vecs(os.path.join(folder, "base.fvecs"), np.float32)[:n]
    queries = read_vecs(os.path.join(folder, "query.fvecs"), np.float32)
    gt_scores = read_vecs(os.path.join(folder, "groundtruth.scores.fvecs"), np.float32)
    metas, docs = [], []
    with open(os.path.join(folder, "docs.jsonl"), "rb") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            d = orjson.loads(line)
            metas.append({"package": d["package"], "section": d["section"], "architecture": d["architecture"],
                          "priority": d["priority"], "installed_size_kb": d["installed_size_kb"]})
            # Vermilion refuses documents over 16,384 bytes by default (Chroma Cloud's limit, as Chroma Cloud does);
            # 3 of the 30k are longer: both systems get them cut to that size, at a character boundary
            docs.append(d["text"].encode()[:MAX_DOC_BYTES].decode("utf-8", "ignore"))
    D.update(base=base, queries=queries, metas=metas, docs=docs, ids=[str(i) for i in range(n)], n=n)
    if n == len(gt_scores) or n >= 30000:
        D["kth"] = gt_scores[:, 9]
    else:  # a smaller base (quick runs): exact top 10 over it
        D["kth"] = np.sort(queries @ base.T, axis=1)[:, -10]
    libs = np.array([m["section"] == "libs" for m in metas])
    D["libs_rows"] = np.nonzero(libs)[0]
    s = queries @ base[libs].T
    D["libs_kth"] = np.sort(s, axis=1)[:, -min(10, s.shape[1])]


def recall_at_10(qi, ids, kth=None):
    kth = D["kth"] if kth is None else kth
    if not ids:
        return 0.0
    rows = np.array([int(x) for x in ids[:10]])
    true = D["base"][rows] @ D["queries"][qi]
    return float(np.sum(true >= kth[qi] - 1e-6)) / 10.0


# ------------------------------------------------------------------------------------------------------- clients
class Official:
    """The official chromadb-client, as a user calls it. Its httpx session (which has no timeout of its own) gets
    REQUEST_TIMEOUT, so a request that never returns is reported rather than waited on."""

    def __init__(self, url, name):
        import chromadb
        import httpx
        from chromadb.config import Settings
        u = urllib.parse.urlparse(url)
        self.client = chromadb.HttpClient(host=u.hostname, port=u.port, settings=Settings(anonymized_telemetry=False))
        session = getattr(getattr(self.client, "_server", None), "_session", None)
        if session is not None:
            session.timeout = httpx.Timeout(REQUEST_TIMEOUT)
        self.coll = self.client.get_collection(name, embedding_function=None)

    def add(self, lo, hi):
        self.coll.add(ids=D["ids"][lo:hi], embeddings=D["base"][lo:hi], metadatas=D["metas"][lo:hi],
                      documents=D["docs"][lo:hi])

    def query(self, qi, where=None):
        r = self.coll.query(query_embeddings=[D["queries"][qi]], n_results=10, where=where)
        return r["ids"][0]

    def get_ids(self, ids):
        return self.coll.get(ids=ids)["ids"]

    def get_where(self, where, limit):
        return self.coll.get(where=where, limit=limit)["ids"]


class Plain:
    """Plain HTTP (one keep-alive connection) sending byte-for-byte the bodies chromadb-client 1.5.9 sends: orjson,
    embeddings of add as base64 of little-endian float32 (the server's pre-flight says it supports it), query
    embeddings as JSON numbers (numpy float32 .tolist()), the same include lists and null fields. Every request has
    REQUEST_TIMEOUT seconds (connect, send, each read); a connection the server closed while idle is reopened once
    (counted in `reconnects`), as the official client's pool does."""

    def __init__(self, url, name):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.conn = self._connect()
        self.reconnects = 0
        cid = self._call("GET", f"/api/v2/tenants/{TENANT}/databases/{DATABASE}/collections/{name}")["id"]
        self.base = f"/api/v2/tenants/{TENANT}/databases/{DATABASE}/collections/{cid}"

    def _connect(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)

    def _call(self, method, path, body=None):
        data = None if body is None else orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY)
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=data, headers=HEADERS)
                resp = self.conn.getresponse()
                payload = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                # The server closed the keep-alive connection before reading this request: reopen, send again.
                self.conn.close()
                self.conn = self._connect()
                self.reconnects += 1
                if attempt == 1:
                    raise RuntimeError(f"{method} {path}: connection closed twice by the server: {e!r}") from e
            except (socket.timeout, TimeoutError) as e:
                self.conn.close()
                self.conn = self._connect()
                raise Stalled(f"{method} {path}: no response within {REQUEST_TIMEOUT:.0f} s") from e
        if resp.status >= 400:
            raise RuntimeError(f"{method} {path}: {resp.status} {payload[:300]!r}")
        return orjson.loads(payload)

    def add(self, lo, hi):
        embs = D["base"][lo:hi].astype("<f4")
        self._call("POST", self.base + "/add", {
            "ids": D["ids"][lo:hi],
            "embeddings": [base64.b64encode(e.tobytes()).decode("ascii") for e in embs],
            "metadatas": D["metas"][lo:hi], "documents": D["docs"][lo:hi], "uris": None})

    def query(self, qi, where=None):
        r = self._call("POST", self.base + "/query", {
            "ids": None, "query_embeddings": [D["queries"][qi].tolist()], "n_results": 10, "where": where,
            "where_document": None, "include": ["metadatas", "documents", "distances"]})
        return r["ids"][0]

    def get_ids(self, ids):
        return self._call("POST", self.base + "/get", {
            "ids": ids, "where": None, "limit": None, "offset": None, "where_document": None,
            "include": ["metadatas", "documents"]})["ids"]

    def get_where(self, where, limit):
        return self._call("POST", self.base + "/get", {
            "ids": None, "where": where, "limit": limit, "offset": None, "where_document": None,
            "include": ["metadatas", "documents"]})["ids"]


CLIENTS = {"official": Official, "http": Plain}


def admin(url):
    import chromadb
    from chromadb.config import Settings
    u = urllib.parse.urlparse(url)
    return chromadb.HttpClient(host=u.hostname, port=u.port, settings=Settings(anonymized_telemetry=False))


def fresh_collection(url, name):
    a = admin(url)
    try:
        a.delete_collection(name)
    except Exception:
        pass
    a.create_collection(name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)


def drop_collection(url, name):
    try:
        admin(url).delete_collection(name)
    except Exception as e:
        print(f"  delete {name}: {e}", file=sys.stderr)


def count(url, name):
    return admin(url).get_collection(name, embedding_function=None).count()


# ------------------------------------------------------------------------------------------------ server CPU use
def _catalog_postmasters(pid):
    """Postmaster pids of the PostgreSQL servers the process pid holds TCP connections to. The embedded PostgreSQL
    detaches from the JVM (its parent is init), so it is found by port: the JVM's sockets, their peers' ports, and a
    postgres whose command line says "-p PORT". Best effort: any failure gives an empty set."""
    try:
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
        ports = set()
        for table in ("tcp", "tcp6"):
            with open(f"/proc/{pid}/net/{table}") as f:
                for line in f.readlines()[1:]:
                    cols = line.split()
                    if cols[9] in inodes and cols[3] == "01":  # established
                        ports.add(int(cols[2].split(":")[1], 16))
        found = set()
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"postgres") and b"-p" in argv:
                i = argv.index(b"-p")
                if i + 1 < len(argv) and argv[i + 1].isdigit() and int(argv[i + 1]) in ports:
                    found.add(int(p))
        return found
    except Exception:
        return set()


def tree_cpu(pid):
    """CPU seconds (user + system) of pid, its descendants and the PostgreSQL server it talks to (Vermilion's
    embedded catalog), and of pid alone."""
    tck = os.sysconf("SC_CLK_TCK")
    roots = {pid} | _catalog_postmasters(pid)
    parent, cpu = {}, {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                s = f.read()
        except OSError:
            continue
        fields = s[s.rindex(")") + 2:].split()
        parent[int(p)] = int(fields[1])
        cpu[int(p)] = (int(fields[11]) + int(fields[12])) / tck
    total = 0.0
    for p in cpu:
        q = p
        while q in parent and q not in roots and q > 1:
            q = parent[q]
        if q in roots:
            total += cpu[p]
    return total, cpu.get(pid, 0.0)


def wait_idle(pid, limit_s, quiet=0.05, step=2.0):
    """Waits until the server tree uses < quiet of one core over two consecutive steps; returns seconds waited."""
    t0 = time.time()
    last, calm = tree_cpu(pid)[0], 0
    while time.time() - t0 < limit_s:
        time.sleep(step)
        now = tree_cpu(pid)[0]
        calm = calm + 1 if (now - last) / step < quiet else 0
        last = now
        if calm >= 2:
            break
    return round(time.time() - t0, 1)


# ------------------------------------------------------------------------------------------------------ stats
def pct(lat, p):
    return float(np.percentile(np.array(lat) * 1000.0, p)) if lat else None


def summary(lat, seconds, cpu=None):
    out = {"n": len(lat), "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99),
           "mean_ms": float(np.mean(lat) * 1000.0) if lat else None, "per_s": len(lat) / seconds if seconds else None,
           "seconds": seconds, "load1": os.getloadavg()[0]}
    if cpu is not None:
        out["server_cpu_ms_per_req"] = cpu[0] * 1000.0 / max(1, len(lat))
        out["server_main_cpu_ms_per_req"] = cpu[1] * 1000.0 / max(1, len(lat))
    return out


class Cpu:
    def __init__(self, pid):
        self.pid, self.start = pid, tree_cpu(pid)

    def used(self):
        end = tree_cpu(self.pid)
        return end[0] - self.start[0], end[1] - self.start[1]


# ------------------------------------------------------------------------------------------------- workers
# Workers are forked (they share D) and always report: ("ok", value) or ("error", traceback). The parent waits for
# the start barrier and for each report with a deadline; a worker that misses it is reported as stalled (its Python
# stack is printed by faulthandler first) and stopped, instead of the driver hanging.
def _worker(out, barrier, deadline_s, body):
    faulthandler.register(signal.SIGUSR1)  # the parent asks a stuck worker where it is stuck before stopping it
    faulthandler.dump_traceback_later(deadline_s, exit=False)  # and should the parent be gone, it says so itself
    try:
        out.put(("ok", body(barrier)))
    except BaseException:
        out.put(("error", f"worker {os.getpid()}: " + traceback.format_exc()))
        try:
            barrier.abort()  # the parent (and the other workers) stop waiting for this one at the start line
        except Exception:
            pass
    finally:
        faulthandler.cancel_dump_traceback_later()


def _ingest_worker(kind, url, name, batches, barrier):
    c = CLIENTS[kind](url, name)
    barrier.wait(timeout=REQUEST_TIMEOUT * 2)
    lat = []
    for lo, hi in batches:
        t = time.perf_counter()
        c.add(lo, hi)
        lat.append(time.perf_counter() - t)
    return time.time(), lat


def _query_worker(kind, url, name, seed, seconds, barrier):
    c = CLIENTS[kind](url, name)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(D["queries"]))
    for i in range(5):
        c.query(int(order[i]))
    barrier.wait(timeout=REQUEST_TIMEOUT * 2)
    lat, i = [], 5
    end = time.time() + seconds
    while time.time() < end:
        qi = int(order[i % len(order)])
        t = time.perf_counter()
        c.query(qi)
        lat.append(time.perf_counter() - t)
        i += 1
    if getattr(c, "reconnects", 0):
        print(f"  query worker {os.getpid()}: the server closed its connection {c.reconnects} times (reopened)",
              file=sys.stderr, flush=True)
    return lat


def run_workers(bodies, budget_s, on_start=None):
    """Runs each body(barrier) in a forked process; once all have passed the start barrier with the parent, calls
    on_start() and returns (start time, their values) when all have reported. Raises Stalled (after stopping them all) if the start takes longer than
    2 × REQUEST_TIMEOUT or a report is missing budget_s + REQUEST_TIMEOUT after the start, and RuntimeError with the
    worker's traceback if one failed."""
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(len(bodies) + 1), ctx.Queue()
    deadline_s = 2 * REQUEST_TIMEOUT + budget_s + REQUEST_TIMEOUT
    procs = [ctx.Process(target=_worker, args=(out, barrier, deadline_s, b), daemon=True) for b in bodies]
    for p in procs:
        p.start()
    results = []

    def stop(reason):
        stuck = [p for p in procs if p.is_alive()]
        for p in stuck:
            print(f"  worker {p.pid} still running; its Python stack:", file=sys.stderr, flush=True)
            os.kill(p.pid, signal.SIGUSR1)
            time.sleep(0.5)
        for p in stuck:
            p.terminate()
        for p in procs:
            p.join(5)
        raise Stalled(reason)

    try:
        barrier.wait(timeout=2 * REQUEST_TIMEOUT)
    except threading.BrokenBarrierError:
        errors = _drain(out)
        # Workers that only saw the barrier broken are not the cause: list the others.
        causes = [e for e in errors if "BrokenBarrierError" not in e]
        stop(f"not all {len(procs)} workers reached the start line within {2 * REQUEST_TIMEOUT:.0f} s"
             + (":\n" + "\n".join(causes) if causes else " (none failed: some are stuck)"))
    t_start = time.time()
    started = on_start() if on_start else None
    errors = []
    while len(results) + len(errors) < len(procs):
        left = t_start + budget_s + REQUEST_TIMEOUT - time.time()
        try:
            status, value = out.get(timeout=max(0.1, left))
        except queue.Empty:
            stop(f"{len(procs) - len(results) - len(errors)} of {len(procs)} workers did not report within "
                 f"{budget_s + REQUEST_TIMEOUT:.0f} s of the start" + ("; failed: " + "\n".join(errors) if errors else ""))
        (results if status == "ok" else errors).append(value)
    for p in procs:
        p.join(10)
    if errors:
        raise RuntimeError("worker failed:\n" + "\n".join(errors))
    return t_start, started, results


def _drain(out):
    errors = []
    while True:
        try:
            status, value = out.get(timeout=1)
        except queue.Empty:
            return errors
        if status == "error":
            errors.append(value)


def ingest(kind, url, name, batch, writers, pid):
    n = D["n"]
    batches = [(lo, min(n, lo + batch)) for lo in range(0, n, batch)]
    cpu = Cpu(pid)
    if writers == 1:
        c = CLIENTS[kind](url, name)
        lat, t0 = [], time.time()
        for lo, hi in batches:
            t = time.perf_counter()
            c.add(lo, hi)
            lat.append(time.perf_counter() - t)
        t_ack = time.time()
        seconds = t_ack - t0
    else:
        t0, _, res = run_workers([functools.partial(_ingest_worker, kind, url, name, batches[w::writers])
                                  for w in range(writers)], budget_s=len(batches) * REQUEST_TIMEOUT / writers)
        t_ack = max(r[0] for r in res)
        seconds = t_ack - t0
        lat = [x for r in res for x in r[1]]
    s = summary(lat, seconds, cpu.used())
    s.update(batch=batch, writers=writers, records_per_s=n / seconds)
    return s, t_ack


def concurrent_queries(kind, url, name, clients, seconds, pid):
    _, cpu, res = run_workers([functools.partial(_query_worker, kind, url, name, 1000 + k, seconds)
                               for k in range(clients)], budget_s=seconds, on_start=lambda: Cpu(pid))
    used = cpu.used()
    lat = [x for r in res for x in r]
    s = summary(lat, seconds, used)
    s["clients"] = clients
    return s


# ------------------------------------------------------------------------------------------------- scenarios
def hook(cmd, action, phase):
    if cmd:
        subprocess.run(f"{cmd} {action} {phase}", shell=True, check=True)


def run_client(kind, args, cfg):
    url, pid = args.url, args.pid
    res = {"client": kind, "ingest": [], "phases": {}}
    print(f"[{args.system}/{kind}] (a) ingest", flush=True)
    if not args.only_profile:
        for batch, writers in cfg["extra_ingest"]:
            name = f"ingest_{kind}_{batch}_{writers}"
            fresh_collection(url, name)
            s, _ = ingest(kind, url, name, batch, writers, pid)
            s["count_ok"] = count(url, name) == D["n"]
            res["ingest"].append(s)
            print(f"  batch {batch} writers {writers}: {s['records_per_s']:.0f} rec/s, p50 {s['p50_ms']:.1f} ms", flush=True)
            drop_collection(url, name)
        res["idle_wait_before_main_s"] = wait_idle(pid, cfg["settle_limit"])

    # main ingest: batch 100, one writer, then queries from the instant the last add is acknowledged
    name = f"main_{kind}"
    fresh_collection(url, name)
    c = CLIENTS[kind](url, name)
    n, batch = D["n"], 100
    cpu, lat, t0 = Cpu(pid), [], time.time()
    res["phases"]["ingest_start"] = t0
    for lo in range(0, n, batch):
        if lo + batch >= n:
            hook(args.phase_hook, "start", "postingest")
        t = time.perf_counter()
        c.add(lo, min(n, lo + batch))
        lat.append(time.perf_counter() - t)
    t_ack = time.time()
    s = summary(lat, t_ack - t0, cpu.used())
    s.update(batch=batch, writers=1, records_per_s=n / (t_ack - t0))
    res["ingest"].insert(0, s)
    print(f"  batch 100 writers 1 (main): {s['records_per_s']:.0f} rec/s, p50 {s['p50_ms']:.1f} ms", flush=True)

    print(f"[{args.system}/{kind}] (b) {cfg['windows']} windows of 10 s after ingest", flush=True)
    cpu = Cpu(pid)
    times, lats, recalls = [], [], []
    end = t_ack + 10 * cfg["windows"]
    i = 0
    while time.time() < end:
        qi = i % len(D["queries"])
        t = time.perf_counter()
        ids = c.query(qi)
        lat_s = time.perf_counter() - t
        times.append(time.time() - t_ack)
        lats.append(lat_s)
        recalls.append(recall_at_10(qi, ids))
        i += 1
    res["phases"]["postingest"] = [t_ack, time.time(), i]
    used = cpu.used()
    hook(args.phase_hook, "stop", "postingest")
    res["first_query_ms"] = lats[0] * 1000.0
    res["first_query_recall"] = recalls[0]
    res["post_ingest_server_cpu_ms_per_req"] = used[0] * 1000.0 / max(1, i)
    wins = []
    for w in range(cfg["windows"]):
        sel = [k for k, t in enumerate(times) if w * 10 <= t < (w + 1) * 10]
        wl = [lats[k] for k in sel]
        win = summary(wl, 10.0)
        win["window"] = w
        win["recall"] = float(np.mean([recalls[k] for k in sel])) if sel else None
        wins.append(win)
        print(f"  {w * 10:3d}-{w * 10 + 10:3d} s: {win['per_s']:6.1f} q/s  p50 {win['p50_ms'] or 0:7.1f}  "
              f"p99 {win['p99_ms'] or 0:7.1f} ms  recall {win['recall'] or 0:.3f}", flush=True)
    res["windows"] = wins

    print(f"[{args.system}/{kind}] (c) settled sequential queries", flush=True)
    res["settle_wait_s"] = wait_idle(pid, cfg["settle_limit"])
    for qi in range(20):
        c.query(qi)
    hook(args.phase_hook, "start", "settled")
    cpu, lat, rec = Cpu(pid), [], []
    t0 = time.time()
    for k in range(cfg["settled_queries"]):
        qi = k % len(D["queries"])
        t = time.perf_counter()
        ids = c.query(qi)
        lat.append(time.perf_counter() - t)
        rec.append(recall_at_10(qi, ids))
    secs = time.time() - t0
    res["phases"]["settled"] = [t0, time.time(), cfg["settled_queries"]]
    s = summary(lat, secs, cpu.used())
    hook(args.phase_hook, "stop", "settled")
    s["recall"] = float(np.mean(rec))
    res["settled"] = s
    print(f"  {s['per_s']:.1f} q/s, p50 {s['p50_ms']:.2f} p99 {s['p99_ms']:.2f} ms, recall@10 {s['recall']:.3f}", flush=True)
    if args.only_profile:
        return res

    print(f"[{args.system}/{kind}] (d) concurrent clients", flush=True)
    res["concurrent"] = []
    for k in cfg["concurrency"]:
        try:
            s = concurrent_queries(kind, url, name, k, cfg["concurrent_seconds"], pid)
        except (Stalled, RuntimeError) as e:
            print(f"  {k:2d} clients: FAILED — {e}", file=sys.stderr, flush=True)
            res.setdefault("failures", []).append({"scenario": "concurrent", "clients": k, "error": str(e)})
            continue
        res["concurrent"].append(s)
        print(f"  {k:2d} clients: {s['per_s']:.1f} q/s, p50 {s['p50_ms']:.2f} p99 {s['p99_ms']:.2f} ms", flush=True)

    print(f"[{args.system}/{kind}] (e) filtered query, get by ids, get with where + limit", flush=True)
    rng = np.random.default_rng(7)
    m = cfg["ops"]
    ops = {}
    cpu, lat, rec, t0 = Cpu(pid), [], [], time.time()
    for k in range(m):
        t = time.perf_counter()
        ids = c.query(k, where={"section": "libs"})
        lat.append(time.perf_counter() - t)
        rec.append(recall_at_10(k, ids, D["libs_kth"]))
    ops["query_where_section"] = summary(lat, time.time() - t0, cpu.used())
    ops["query_where_section"]["recall"] = float(np.mean(rec))
    cpu, lat, t0, ok = Cpu(pid), [], time.time(), True
    for k in range(m):
        want = [str(x) for x in rng.choice(D["n"], 10, replace=False)]
        t = time.perf_counter()
        got = c.get_ids(want)
        lat.append(time.perf_counter() - t)
        ok &= sorted(got) == sorted(want)
    ops["get_by_10_ids"] = summary(lat, time.time() - t0, cpu.used())
    ops["get_by_10_ids"]["all_found"] = ok
    sections = ["libs", "libdevel", "python", "doc", "perl"]
    cpu, lat, t0, ok = Cpu(pid), [], time.time(), True
    for k in range(m):
        t = time.perf_counter()
        got = c.get_where({"section": sections[k % len(sections)]}, 10)
        lat.append(time.perf_counter() - t)
        ok &= len(got) == 10
    ops["get_where_limit_10"] = summary(lat, time.time() - t0, cpu.used())
    ops["get_where_limit_10"]["ten_each"] = ok
    res["ops"] = ops
    for k, s in ops.items():
        print(f"  {k}: {s['per_s']:.1f} /s, p50 {s['p50_ms']:.2f} p99 {s['p99_ms']:.2f} ms", flush=True)
    drop_collection(url, name)
    res["idle_wait_after_s"] = wait_idle(pid, cfg["settle_limit"])
    return res


def cmd_run(args):
    quick = args.quick
    cfg = {
        "n": 10000 if quick else 30000,
        "extra_ingest": [(1000, 4)] if quick else [(1000, 1), (100, 4), (1000, 4)],
        "windows": 3 if quick else 12,
        "settled_queries": 300 if quick else 1000,
        "concurrency": [1, 4] if quick else [1, 4, 16],
        "concurrent_seconds": 5 if quick else 15,
        "ops": 50 if quick else 200,
        "settle_limit": 120 if quick else 300,
    }
    if args.only_profile:
        cfg["settled_queries"] = 3000
        cfg["windows"] = 6
    load_data(args.data, cfg["n"])
    out = {"system": args.system, "quick": quick, "config": cfg, "clients": [],
           "server_version": admin(args.url).get_version(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    for kind in args.clients.split(","):
        out["clients"].append(run_client(kind, args, cfg))
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)


# -------------------------------------------------------------------------------------------------- report
def fmt(x, d=1):
    if x is None:
        return "—"
    return f"{x:,.{d}f}"


def ratio(v, c, higher_is_better=True):
    if not v or not c:
        return "—"
    return f"{(v / c) if higher_is_better else (c / v):.2f}×"


def cmd_report(args):
    runs = {}
    for path in args.results:
        with open(path) as f:
            r = json.load(f)
        runs[r["system"]] = r
    V, C = runs["vermilion"], runs["chroma"]
    kinds = [c["client"] for c in V["clients"]]
    by = lambda run, kind: next(c for c in run["clients"] if c["client"] == kind)
    md = []
    md.append(f"Chroma {C['server_version']} (npm chromadb 3.5.0), Vermilion {V['server_version']}; "
              f"{V['config']['n']:,} records; ratio = Vermilion ÷ Chroma for rates, Chroma ÷ Vermilion for latencies "
              f"(so > 1× means Vermilion is better).\n")
    if args.note:
        md.append(args.note + "\n")
    md.append("**(a) Ingest** (records/s from the first request to the last acknowledgement; p50 per request)\n")
    md.append("| client | batch | writers | Chroma rec/s | Vermilion rec/s | ratio | Chroma p50 ms | Vermilion p50 ms |")
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in kinds:
        for vi in by(V, kind)["ingest"]:
            ci = next((x for x in by(C, kind)["ingest"] if x["batch"] == vi["batch"] and x["writers"] == vi["writers"]), None)
            if ci is None:
                continue
            md.append(f"| {kind} | {vi['batch']:,} | {vi['writers']} | {fmt(ci['records_per_s'], 0)} | "
                      f"{fmt(vi['records_per_s'], 0)} | {ratio(vi['records_per_s'], ci['records_per_s'])} | "
                      f"{fmt(ci['p50_ms'])} | {fmt(vi['p50_ms'])} |")
    md.append("\n**(b) Queries from the instant the last add (batch 100, one writer) was acknowledged**, one sequential "
              "client, per 10 s window (queries/s, p50 / p99 ms, recall@10)\n")
    for kind in kinds:
        v, c = by(V, kind), by(C, kind)
        md.append(f"{kind} client — first query after the last add: Chroma {fmt(c['first_query_ms'])} ms, Vermilion "
                  f"{fmt(v['first_query_ms'])} ms\n")
        md.append("| window | Chroma q/s | Chroma p50 / p99 | Vermilion q/s | Vermilion p50 / p99 | q/s ratio | Vermilion recall |")
        md.append("|---|---:|---:|---:|---:|---:|---:|")
        for vw, cw in zip(v["windows"], c["windows"]):
            w = vw["window"]
            md.append(f"| {w * 10}–{w * 10 + 10} s | {fmt(cw['per_s'])} | {fmt(cw['p50_ms'])} / {fmt(cw['p99_ms'])} | "
                      f"{fmt(vw['per_s'])} | {fmt(vw['p50_ms'])} / {fmt(vw['p99_ms'])} | {ratio(vw['per_s'], cw['per_s'])} | "
                      f"{fmt(vw['recall'], 3)} |")
        md.append("")
    md.append("**(c) Settled sequential queries** (after the server's CPU went idle; n_results 10, include metadatas, "
              "documents, distances)\n")
    md.append("| client | Chroma q/s | Chroma p50 / p99 ms | Chroma recall@10 | Vermilion q/s | Vermilion p50 / p99 ms | "
              "Vermilion recall@10 | q/s ratio | server CPU ms/query C / V |")
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind in kinds:
        v, c = by(V, kind)["settled"], by(C, kind)["settled"]
        md.append(f"| {kind} | {fmt(c['per_s'])} | {fmt(c['p50_ms'], 2)} / {fmt(c['p99_ms'], 2)} | {fmt(c['recall'], 3)} | "
                  f"{fmt(v['per_s'])} | {fmt(v['p50_ms'], 2)} / {fmt(v['p99_ms'], 2)} | {fmt(v['recall'], 3)} | "
                  f"{ratio(v['per_s'], c['per_s'])} | {fmt(c['server_cpu_ms_per_req'], 2)} / {fmt(v['server_cpu_ms_per_req'], 2)} |")
    md.append("\n**(d) Concurrent query clients** (separate processes, each its own connection, "
              f"{V['config']['concurrent_seconds']} s each)\n")
    md.append("| client | clients | Chroma q/s | Chroma p50 / p99 ms | Vermilion q/s | Vermilion p50 / p99 ms | q/s ratio |")
    md.append("|---|---:|---:|---:|---:|---:|---:|")
    for kind in kinds:
        for v, c in zip(by(V, kind).get("concurrent", []), by(C, kind).get("concurrent", [])):
            md.append(f"| {kind} | {v['clients']} | {fmt(c['per_s'])} | {fmt(c['p50_ms'], 2)} / {fmt(c['p99_ms'], 2)} | "
                      f"{fmt(v['per_s'])} | {fmt(v['p50_ms'], 2)} / {fmt(v['p99_ms'], 2)} | {ratio(v['per_s'], c['per_s'])} |")
    md.append("\n**(e) Filtered query, get by ids, get with where + limit** (one sequential client, "
              f"{V['config']['ops']} requests each)\n")
    md.append("| client | operation | Chroma /s | Chroma p50 / p99 ms | Vermilion /s | Vermilion p50 / p99 ms | ratio |")
    md.append("|---|---|---:|---:|---:|---:|---:|")
    names = {"query_where_section": "query, where section = libs", "get_by_10_ids": "get 10 ids",
             "get_where_limit_10": "get where section, limit 10"}
    for kind in kinds:
        for op, label in names.items():
            v, c = by(V, kind).get("ops", {}).get(op), by(C, kind).get("ops", {}).get(op)
            if not v or not c:
                continue
            extra = f" (recall C {c['recall']:.3f} / V {v['recall']:.3f})" if "recall" in v else ""
            md.append(f"| {kind} | {label}{extra} | {fmt(c['per_s'])} | {fmt(c['p50_ms'], 2)} / {fmt(c['p99_ms'], 2)} | "
                      f"{fmt(v['per_s'])} | {fmt(v['p50_ms'], 2)} / {fmt(v['p99_ms'], 2)} | {ratio(v['per_s'], c['per_s'])} |")
    md.append("\n**Targets of issue 12**\n")
    md.append("| target | client | measured | reached? |")
    md.append("|---|---|---|---|")
    for kind in kinds:
        v, c = by(V, kind), by(C, kind)
        slower = [w["window"] for w, x in zip(v["windows"], c["windows"]) if (w["per_s"] or 0) < (x["per_s"] or 0)]
        worst = min((w["per_s"] / x["per_s"], w["window"]) for w, x in zip(v["windows"], c["windows"]) if x["per_s"])
        md.append(f"| no 10 s window after ingest slower than Chroma | {kind} | {len(slower)} of {len(v['windows'])} "
                  f"windows slower; worst {worst[1] * 10}–{worst[1] * 10 + 10} s at {worst[0]:.2f}× | "
                  f"{'yes' if not slower else '**no**'} |")
        sv, sc = v["settled"], c["settled"]
        ok = sv["per_s"] >= 2 * sc["per_s"] and sv["recall"] >= 0.95
        md.append(f"| settled sequential ≥ 2× at recall@10 ≥ 0.95 | {kind} | {sv['per_s'] / sc['per_s']:.2f}× at "
                  f"recall {sv['recall']:.3f} | {'yes' if ok else '**no**'} |")
        cv = next((x for x in v.get("concurrent", []) if x["clients"] == 16), None)
        cc = next((x for x in c.get("concurrent", []) if x["clients"] == 16), None)
        if cv and cc:
            md.append(f"| 16 concurrent clients ≥ 3× | {kind} | {cv['per_s'] / cc['per_s']:.2f}× "
                      f"({cv['per_s']:.0f} vs {cc['per_s']:.0f} q/s) | {'yes' if cv['per_s'] >= 3 * cc['per_s'] else '**no**'} |")
        md.append(f"| first query after ingest ≤ 50 ms | {kind} | {v['first_query_ms']:.1f} ms (Chroma "
                  f"{c['first_query_ms']:.1f} ms) | {'yes' if v['first_query_ms'] <= 50 else '**no**'} |")
        iv, ic = v["ingest"][0], c["ingest"][0]
        md.append(f"| ingest ≥ 3× at batch 100 (one writer) | {kind} | {iv['records_per_s'] / ic['records_per_s']:.2f}× "
                  f"({iv['records_per_s']:.0f} vs {ic['records_per_s']:.0f} rec/s) | "
                  f"{'yes' if iv['records_per_s'] >= 3 * ic['records_per_s'] else '**no**'} |")
    with open(args.md, "w") as f:
        f.write("\n".join(md) + "\n")
    with open(args.json, "w") as f:
        json.dump({"note": args.note, "runs": runs}, f, indent=1)
    plot(runs, kinds, args.png)


def plot(runs, kinds, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(len(kinds), 2, figsize=(12, 4 * len(kinds)), squeeze=False)
    colors = {"chroma": "tab:blue", "vermilion": "tab:red"}
    for row, kind in enumerate(kinds):
        for system, run in sorted(runs.items()):
            c = next(x for x in run["clients"] if x["client"] == kind)
            x = [w["window"] * 10 + 5 for w in c["windows"]]
            axes[row][0].plot(x, [w["p50_ms"] for w in c["windows"]], "o-", color=colors.get(system), label=f"{system} p50")
            axes[row][0].plot(x, [w["p99_ms"] for w in c["windows"]], "x--", color=colors.get(system), label=f"{system} p99")
            axes[row][1].plot(x, [w["per_s"] for w in c["windows"]], "o-", color=colors.get(system), label=system)
        axes[row][0].set_yscale("log")
        axes[row][0].set_ylabel("latency ms (log)")
        axes[row][0].set_title(f"{kind} client: query latency per 10 s window after ingest")
        axes[row][1].set_ylabel("queries/s (one sequential client)")
        axes[row][1].set_title(f"{kind} client: throughput per 10 s window after ingest")
        for ax in axes[row]:
            ax.set_xlabel("seconds since the last add was acknowledged")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8)
        axes[row][1].set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--system", required=True)
    r.add_argument("--url", required=True)
    r.add_argument("--pid", type=int, required=True)
    r.add_argument("--data", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--quick", action="store_true")
    r.add_argument("--clients", default="official,http")
    r.add_argument("--phase-hook", default="")
    r.add_argument("--only-profile", action="store_true")
    r.add_argument("--request-timeout", type=float, default=REQUEST_TIMEOUT,
                   help="seconds a request may take before it is reported as stalled (default %(default)s)")
    g = sub.add_parser("report")
    g.add_argument("--results", nargs="+", required=True)
    g.add_argument("--json", required=True)
    g.add_argument("--md", required=True)
    g.add_argument("--png", required=True)
    g.add_argument("--note", default="")
    a = p.parse_args()
    if a.cmd == "run":
        set_request_timeout(a.request_timeout)
    cmd_run(a) if a.cmd == "run" else cmd_report(a)


if __name__ == "__main__":
    main()
