/** Texts in: embedded on the client by an embedding function, or without one by the server for a collection it
 * embeds (Chroma's `default` function), against the packaged server. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import {
  type EmbeddingFunction,
  InvalidArgumentError,
  SERVER_EMBEDDING_FUNCTION,
  VermilionClient,
  knn,
} from "@vermilion/client";

import { type RunningServer, startServer } from "./server";

let server: RunningServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

/** Counts of the letters a, b and c: an embedding function whose output is known exactly. */
class Letters implements EmbeddingFunction {
  calls: string[][] = [];
  async generate(texts: string[]): Promise<number[][]> {
    this.calls.push([...texts]);
    const count = (t: string, c: string) => [...t].filter((x) => x === c).length;
    return texts.map((t) => [count(t, "a"), count(t, "b"), count(t, "c")]);
  }
}

async function client(): Promise<VermilionClient> {
  const tenant = `sdk-${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new VermilionClient({ host: server.host, port: server.port });
  await admin.createTenant({ name: tenant });
  await admin.createDatabase({ name: "main", tenant });
  return new VermilionClient({ host: server.host, port: server.port, tenant, database: "main" });
}

test("a client-side function embeds documents and query texts", async () => {
  const c = await client();
  const letters = new Letters();
  const col = await c.createCollection({ name: "letters", embeddingFunction: letters });
  assert.equal(col.serverEmbedded, false);
  await col.add({ ids: ["x", "y", "z"], documents: ["aaa", "bb", "c"] });
  assert.deepEqual(letters.calls, [["aaa", "bb", "c"]]);
  const got = await col.get({ include: ["embeddings"] });
  assert.deepEqual(got.ids, ["x", "y", "z"]);
  assert.deepEqual(got.embeddings, [
    [3, 0, 0],
    [0, 2, 0],
    [0, 0, 1],
  ]);

  const r = await col.query({ queryTexts: ["aa", "cc"], nResults: 2, include: ["distances"] });
  assert.deepEqual(r.ids, [
    ["x", "z"],
    ["z", "y"],
  ]);
  assert.ok(Math.abs(r.distances![0][0] - 1) < 1e-6 && Math.abs(r.distances![1][0] - 1) < 1e-6);

  // A text knn in a search is embedded by the function too.
  const found = await col.search([{ rank: knn({ query: "aa", limit: 2 }), select: ["#score"] }]);
  assert.deepEqual(found.ids, [["x", "z"]]);
  assert.deepEqual(found.scores, [[1, 5]]);

  await col.update({ ids: "y", documents: "abc" });
  await col.upsert({ ids: "w", documents: "zzz", embeddings: [9, 9, 9] });
  const after = await col.get({ ids: ["w", "y"], include: ["embeddings"] });
  const byId = Object.fromEntries(after.ids.map((id, i) => [id, after.embeddings![i]]));
  assert.deepEqual(byId, { y: [1, 1, 1], w: [9, 9, 9] });

  const again = await c.getCollection({ name: "letters", embeddingFunction: letters });
  assert.deepEqual((await again.query({ queryTexts: "aaa", nResults: 1 })).ids, [["x"]]);
  const plain = await c.getCollection({ name: "letters" });
  assert.equal(plain.embeddingFunction, undefined);
  await assert.rejects(plain.query({ queryTexts: ["aaa"], nResults: 1 }), (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.equal(e.status, 400);
    return true;
  });
  await assert.rejects(col.add({ ids: ["v"], documents: [null] }), InvalidArgumentError);
  await assert.rejects(col.query({ queryEmbeddings: [1, 0, 0], queryTexts: ["a"] }), InvalidArgumentError);
  assert.equal(await col.count(), 4);
});

test("without a function the server embeds texts", async () => {
  const c = await client();
  const col = await c.createCollection({ name: "served", configuration: { hnsw: { space: "cosine" } }, serverEmbedded: true });
  assert.equal(col.serverEmbedded, true);
  assert.deepEqual(col.configuration["embedding_function"], SERVER_EMBEDDING_FUNCTION);
  assert.equal((await c.getCollection({ name: "served" })).serverEmbedded, true);
  await col.add({
    ids: ["pie", "car", "code"],
    documents: [
      "how to bake an apple pie",
      "a red sports car with a fast engine",
      "writing a parser in the Java programming language",
    ],
  });
  assert.equal((await col.get({ ids: "pie", include: ["embeddings"] })).embeddings![0].length, 384);

  const r = await col.query({
    queryTexts: ["a red sports car with a fast engine", "how to bake an apple pie"],
    nResults: 1,
  });
  assert.deepEqual(r.ids, [["car"], ["pie"]]);
  assert.ok(Math.abs(r.distances![0][0]) < 1e-5);

  // A text knn in a search goes as it is, and the server embeds it.
  const found = await col.search([{ rank: knn({ query: "how to bake an apple pie", limit: 2 }), select: ["#score"] }]);
  assert.equal(found.ids[0][0], "pie");
  assert.ok(Math.abs(found.scores[0]![0]!) < 1e-5);

  await col.update({ ids: "code", documents: "a blue bicycle" });
  assert.deepEqual((await col.query({ queryTexts: "a blue bicycle", nResults: 1 })).ids, [["code"]]);
  assert.equal(await col.count(), 3);
});
