/** Sparse vectors through the TypeScript client, against the packaged server: metadata values sent and read back as
 * `SparseVector`s (Chroma's JS shape: no tag), and a sparse `knn` sent in Chroma's tagged form under its key; and
 * read levels on count and search. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import { type SparseVector, VermilionClient, knn } from "@vermilion/client";

import { type RunningServer, startServer } from "./server";

let server: RunningServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

test("a sparse knn is Chroma's tagged query under its key", () => {
  const query: SparseVector = { indices: [1, 70000], values: [0.5, 2] };
  assert.deepEqual(knn({ query, key: "sparse", limit: 5, default: 10 }), {
    $knn: { query: { "#type": "sparse_vector", indices: [1, 70000], values: [0.5, 2] }, key: "sparse", limit: 5, default: 10 },
  });
  assert.throws(() => knn({ query }), TypeError);
});

test("sparse vector metadata goes in and comes back on get, query and search", async () => {
  const tenant = `sdk-${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new VermilionClient({ host: server.host, port: server.port });
  await admin.createTenant({ name: tenant });
  await admin.createDatabase({ name: "main", tenant });
  const c = new VermilionClient({ host: server.host, port: server.port, tenant, database: "main" });
  const col = await c.createCollection({ name: "sparse" });
  const a: SparseVector = { indices: [2, 9, 4000000], values: [0.25, -1.5, 3] };
  const b: SparseVector = { indices: [0], values: [1], tokens: ["hello"] };
  await col.add({
    ids: ["a", "b", "c"],
    embeddings: [[1, 0], [0, 1], [1, 1]],
    metadatas: [{ s: a, n: 1, tags: ["x", "y"], name: "first" }, { s: b }, { n: 3, ok: true }],
  });

  const got = await col.get({ ids: ["a", "b", "c"] });
  assert.deepEqual(got.metadatas, [{ s: a, n: 1, tags: ["x", "y"], name: "first" }, { s: b }, { n: 3, ok: true }]);

  const hits = await col.query({ queryEmbeddings: [[1, 0]], nResults: 1 });
  assert.deepEqual(hits.metadatas, [[{ s: a, n: 1, tags: ["x", "y"], name: "first" }]]);

  const found = await col.search([{ rank: knn({ query: [0, 1], limit: 1 }), select: ["s"] }]);
  assert.deepEqual(found.ids, [["b"]]);
  assert.deepEqual(found.metadatas, [[{ s: b }]]);

  // An update merges key by key: the sparse vector is replaced, the rest stays.
  const replaced: SparseVector = { indices: [5], values: [0.5] };
  await col.update({ ids: ["a"], metadatas: [{ s: replaced }] });
  assert.deepEqual((await col.get({ ids: ["a"] })).metadatas, [{ s: replaced, n: 1, tags: ["x", "y"], name: "first" }]);
});

test("count and search take a read level", async () => {
  const tenant = `sdk-${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new VermilionClient({ host: server.host, port: server.port });
  await admin.createTenant({ name: tenant });
  await admin.createDatabase({ name: "main", tenant });
  const c = new VermilionClient({ host: server.host, port: server.port, tenant, database: "main" });
  const col = await c.createCollection({ name: "levels" });
  await col.add({ ids: ["a", "b", "c"], embeddings: [[0, 0], [1, 0], [2, 0]] });
  // Nothing is compacted yet: the compacted version alone is empty, the bounded log (250) holds all three.
  assert.equal(await col.count({ readLevel: "index_only" }), 0);
  assert.equal(await col.count({ readLevel: "index_and_bounded_wal" }), 3);
  assert.equal(await col.count(), 3);
  const found = await col.search([{ rank: knn({ query: [0, 0], limit: 2 }) }], { readLevel: "index_and_bounded_wal" });
  assert.deepEqual(found.ids, [["a", "b"]]);
});
