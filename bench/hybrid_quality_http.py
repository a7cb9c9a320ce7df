"""Hybrid retrieval over HTTP: dense, BM25 and RRF searches (`POST .../search`) against a running server.

Usage: python3 bench/hybrid_quality_http.py BASE_URL DATASET_DIR [QUERIES]
Loads the dataset's 30,000 documents with their base.fvecs vectors into a new cosine collection, waits until
compaction has indexed every record (indexing_status), then sends QUERIES (default all 1,000) queries one at a time
as three searches — dense `$knn` on the query vector, BM25 (`$knn` with the query text on `#document`) and RRF of both
as the clients compile it (k 60, both legs limit 100, return_rank, default 1000), limit 10 — and prints p50/p99,
MRR@10 and recall@10 of each against qrels. Standard library only.
"""

import json
import struct
import sys
import time
import urllib.error
import urllib.request
import uuid


def call(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{url}: {e.code} {e.read().decode()[:500]}") from None


def fvecs(path):
    out = []
    with open(path, "rb") as f:
        while head := f.read(4):
            (d,) = struct.unpack("<i", head)
            out.append(list(struct.unpack(f"<{d}f", f.read(4 * d))))
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def leg(knn):
    return {"$div": {"left": {"$val": 1}, "right": {"$sum": [{"$val": 60}, {"$knn": knn}]}}}


def main():
    base, data = sys.argv[1].rstrip("/"), sys.argv[2]
    root = f"{base}/api/v2/tenants/default_tenant/databases/default_database/collections"
    col = call(root, {"name": f"hybrid-{uuid.uuid4().hex[:8]}", "configuration": {"hnsw": {"space": "cosine"}}})
    url = f"{root}/{col['id']}"
    with open(f"{data}/docs.jsonl") as f:
        # The stored document has to fit the 16 KiB document quota (a handful of descriptions are longer).
        docs = [json.loads(line)["text"].encode()[:16000].decode(errors="ignore") for line in f]
    vectors = fvecs(f"{data}/base.fvecs")
    t0 = time.time()
    for start in range(0, len(docs), 1000):
        end = min(len(docs), start + 1000)
        call(f"{url}/add", {"ids": [str(i) for i in range(start, end)], "documents": docs[start:end],
                            "embeddings": vectors[start:end]})
    print(f"loaded {len(docs)} documents in {time.time() - t0:.1f} s", flush=True)
    while (status := call(f"{url}/indexing_status"))["num_unindexed_ops"] > 0:
        time.sleep(2)
    print(f"compacted after {time.time() - t0:.1f} s: {status}", flush=True)
    with open(f"{data}/queries.jsonl") as f:
        queries = [json.loads(line) for line in f]
    qvecs = fvecs(f"{data}/query.fvecs")
    n = int(sys.argv[3]) if len(sys.argv) > 3 else len(queries)
    kinds = {
        "dense": lambda i: {"$knn": {"query": qvecs[i], "limit": 10}},
        "bm25": lambda i: {"$knn": {"query": queries[i]["text"], "key": "#document", "limit": 10}},
        "hybrid": lambda i: {"$mul": [{"$val": -1}, {"$sum": [
            leg({"query": qvecs[i], "limit": 100, "default": 1000, "return_rank": True}),
            leg({"query": queries[i]["text"], "key": "#document", "limit": 100, "default": 1000, "return_rank": True}),
        ]}]},
    }
    print(f"{n} queries, one at a time, limit 10, over {len(docs)} documents (HTTP, compacted)")
    for name, rank in kinds.items():
        for i in range(min(100, n)):  # warm-up
            call(f"{url}/search", {"searches": [{"rank": rank(i), "limit": {"limit": 10}, "select": {"keys": []}}]})
        ms, rr, found = [], 0.0, 0
        for i in range(n):
            t = time.perf_counter()
            r = call(f"{url}/search", {"searches": [{"rank": rank(i), "limit": {"limit": 10}, "select": {"keys": []}}]})
            ms.append((time.perf_counter() - t) * 1000)
            relevant = {str(x) for x in queries[i]["relevant_doc_ids"]}
            hit = next((k for k, id_ in enumerate(r["ids"][0]) if id_ in relevant), None)
            if hit is not None:
                rr += 1.0 / (hit + 1)
                found += 1
        print(f"{name:7s} p50 {pct(ms, 50):6.2f} ms  p99 {pct(ms, 99):6.2f} ms  MRR@10 {rr / n:.4f}"
              f"  recall@10 {found / n:.4f}", flush=True)


if __name__ == "__main__":
    main()
