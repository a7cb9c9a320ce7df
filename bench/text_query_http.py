"""End-to-end latency of a text query over HTTP (Vermilion's `query_texts`) against a running server.

Usage: python3 bench/text_query_http.py BASE_URL DATASET_DIR [DOCS [QUERIES]]
Loads DOCS (default 30000) documents of the dataset, with their base.fvecs vectors (so loading embeds nothing), into
a new cosine collection embedded on the server (embedding_function: Chroma's `default`), then sends QUERIES
(default 300) of the dataset's text queries one at a time as `query_texts` (n_results 10), and the same queries as
`query_embeddings` (query.fvecs), and prints p50/p99 of each and MRR@10 of the text queries against qrels.
Standard library only.
"""

import json
import struct
import sys
import time
import urllib.error
import urllib.request
import uuid


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{url}: {e.code} {e.read().decode()[:500]}") from None


def fvecs(path, n):
    out = []
    with open(path, "rb") as f:
        for _ in range(n):
            head = f.read(4)
            if not head:
                break
            (d,) = struct.unpack("<i", head)
            out.append(list(struct.unpack(f"<{d}f", f.read(4 * d))))
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def main():
    base, data = sys.argv[1].rstrip("/"), sys.argv[2]
    n_docs = int(sys.argv[3]) if len(sys.argv) > 3 else 30000
    n_queries = int(sys.argv[4]) if len(sys.argv) > 4 else 300
    root = f"{base}/api/v2/tenants/default_tenant/databases/default_database/collections"
    col = post(root, {"name": f"textq-{uuid.uuid4().hex[:8]}", "configuration": {
        "hnsw": {"space": "cosine"}, "embedding_function": {"type": "known", "name": "default", "config": {}}}})
    url = f"{root}/{col['id']}"
    docs = []
    with open(f"{data}/docs.jsonl") as f:
        for line in f:
            # The vectors are given, so the stored document only has to fit the 16 KiB document quota.
            docs.append(json.loads(line)["text"].encode()[:16000].decode(errors="ignore"))
            if len(docs) == n_docs:
                break
    vectors = fvecs(f"{data}/base.fvecs", n_docs)
    t0 = time.time()
    for start in range(0, n_docs, 1000):
        end = min(n_docs, start + 1000)
        post(f"{url}/add", {"ids": [str(i) for i in range(start, end)], "documents": docs[start:end],
                            "embeddings": vectors[start:end]})
    print(f"loaded {n_docs} documents (given vectors) in {time.time() - t0:.1f} s")
    queries = []
    with open(f"{data}/queries.jsonl") as f:
        for line in f:
            q = json.loads(line)
            queries.append(q)
    qvecs = fvecs(f"{data}/query.fvecs", len(queries))
    picked = [i for i, q in enumerate(queries) if all(r < n_docs for r in q["relevant_doc_ids"])][:n_queries]
    for i in picked[:10]:  # warm-up: model load, JIT
        post(f"{url}/query", {"query_texts": [queries[i]["text"]], "n_results": 10, "include": []})
    text_ms, vec_ms, rr = [], [], 0.0
    for i in picked:
        t = time.perf_counter()
        a = post(f"{url}/query", {"query_texts": [queries[i]["text"]], "n_results": 10, "include": []})
        text_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        post(f"{url}/query", {"query_embeddings": [qvecs[i]], "n_results": 10, "include": []})
        vec_ms.append((time.perf_counter() - t) * 1000)
        relevant = {str(r) for r in queries[i]["relevant_doc_ids"]}
        rank = next((k for k, id_ in enumerate(a["ids"][0]) if id_ in relevant), None)
        rr += 0.0 if rank is None else 1.0 / (rank + 1)
    print(f"{len(picked)} queries, one at a time, n_results 10, over {n_docs} documents")
    print(f"query_texts p50 {pct(text_ms, 50):.1f} ms, p99 {pct(text_ms, 99):.1f} ms")
    print(f"query_embeddings p50 {pct(vec_ms, 50):.1f} ms, p99 {pct(vec_ms, 99):.1f} ms")
    print(f"MRR@10 of the text queries (HNSW, over HTTP): {rr / len(picked):.3f}")


if __name__ == "__main__":
    main()
