// The official Chroma JS client (npm chromadb 3.5.0) using the Search API on a live Vermilion: dense knn with
// select and paging, reciprocal rank fusion (which the client compiles into $knn/$val/$sum/$div/$mul), filters on
// metadata, #id and #document, group_by, read levels, the indexing status, and sparse vectors (a schema index,
// metadata values and a sparse knn).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ChromaClient, Search, Knn, Rrf, K, GroupBy, MinK, ReadLevel, Schema, SparseVectorIndexConfig,
} from "chromadb";

const url = new URL(process.env.VERMILION_URL ?? "http://localhost:8000");
const client = new ChromaClient({ host: url.hostname, port: Number(url.port), ssl: false });
const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;

async function fourPoints() {
  const col = await client.createCollection({ name: unique("search"), embeddingFunction: null });
  await col.add({
    ids: ["a", "b", "c", "d"],
    embeddings: [[0, 0], [1, 0], [2, 0], [3, 0]],
    documents: ["apple pie", "banana split", "cherry tart", "date loaf"],
    metadatas: [{ kind: "fruit", n: 1 }, { kind: "fruit", n: 2 }, { kind: "stone", n: 3 }, { kind: "stone", n: 4 }],
  });
  return col;
}

test("dense knn search with select and limit", async () => {
  const col = await fourPoints();
  const result = await col.search(
    new Search().rank(Knn({ query: [2.4, 0], limit: 3 })).limit(2).select(K.DOCUMENT, K.SCORE, "kind"),
  );
  assert.deepEqual(result.ids, [["c", "d"]]);
  assert.deepEqual(result.documents, [["cherry tart", "date loaf"]]);
  assert.deepEqual(result.metadatas, [[{ kind: "stone" }, { kind: "stone" }]]);
  const scores = result.scores[0];
  assert.equal(scores.length, 2);
  assert.ok(Math.abs(scores[0] - 0.16) < 1e-6 && Math.abs(scores[1] - 0.36) < 1e-6, `scores ${scores}`);
  const rows = result.rows()[0];
  assert.deepEqual(rows.map((r) => r.id), ["c", "d"]);
  assert.equal(rows[0].metadata.kind, "stone");
});

test("reciprocal rank fusion of two knn rankings, filtered and grouped", async () => {
  const col = await fourPoints();
  const rrf = Rrf({
    ranks: [Knn({ query: [0, 0], limit: 3, returnRank: true }), Knn({ query: [3, 0], limit: 3, returnRank: true })],
    k: 60,
  });
  const result = await col.search(new Search().rank(rrf).select(K.SCORE));
  // knn(0,0): a 0, b 1, c 2; knn(3,0): d 0, c 1, b 2. Without defaults only b and c are in both.
  assert.deepEqual(result.ids, [["b", "c"]]);
  const expected = -(1 / 61 + 1 / 62);
  assert.ok(Math.abs(result.scores[0][0] - expected) < 1e-6, `score ${result.scores[0][0]}`);

  const filtered = await col.search(
    new Search()
      .where(K.ID.notIn(["a"]).and(K.DOCUMENT.contains("a")))
      .rank(Knn({ query: [0, 0], limit: 4 }))
      .groupBy(new GroupBy([K("kind")], new MinK([K.SCORE], 1)))
      .select(K.SCORE),
  );
  // b, c, d pass; fruit keeps b (1), stone keeps c (4).
  assert.deepEqual(filtered.ids, [["b", "c"]]);
  assert.deepEqual(filtered.scores, [[1, 4]]);
});

test("a batch of searches, read levels and the indexing status", async () => {
  const col = await fourPoints();
  await col.add({ ids: ["e"], embeddings: [[2.5, 0]] });
  const [latest, compactedOnly] = await Promise.all([
    col.search([new Search().rank(Knn({ query: [2.5, 0], limit: 1 })), new Search().limit(2, 3)]),
    col.search(new Search().rank(Knn({ query: [2.5, 0], limit: 1 })), { readLevel: ReadLevel.INDEX_ONLY }),
  ]);
  assert.deepEqual(latest.ids, [["e"], ["d", "e"]]);
  assert.deepEqual(compactedOnly.ids, [[]]);
  const status = await col.getIndexingStatus();
  assert.equal(status.total_ops ?? status.totalOps, 5);
});

test("a sparse vector index in the schema, sparse metadata, a sparse knn and a bounded count", async () => {
  const schema = new Schema().createIndex(new SparseVectorIndexConfig(), "sparse");
  const col = await client.createCollection({ name: unique("sparse"), schema, embeddingFunction: null });
  const a = { indices: [1, 5], values: [1, 2] };
  const b = { indices: [5, 9], values: [0.5, 1] };
  await col.add({
    ids: ["a", "b", "c"],
    embeddings: [[0, 0], [1, 0], [2, 0]],
    metadatas: [{ sparse: a, n: 1 }, { sparse: b }, { n: 3 }],
  });
  const got = await col.get({ ids: ["a", "b", "c"] });
  assert.deepEqual(got.metadatas, [{ sparse: a, n: 1 }, { sparse: b }, { n: 3 }]);
  // 1 - query·vector: a 1 - 2 = -1, b 1 - 0.5 = 0.5; c has no sparse vector.
  const result = await col.search(
    new Search().rank(Knn({ query: { indices: [5], values: [1] }, key: "sparse", limit: 5 })).select(K.SCORE),
  );
  assert.deepEqual(result.ids, [["a", "b"]]);
  assert.deepEqual(result.scores, [[-1, 0.5]]);
  // Compacted or not (this file also runs under a profile that compacts within a second), the three are within
  // the bound of 250 log operations after the compacted version.
  assert.equal(await col.count({ readLevel: ReadLevel.INDEX_AND_BOUNDED_WAL }), 3);
});
