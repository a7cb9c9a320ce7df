// The official Chroma JS client (npm chromadb 3.5.0) writing and reading records on a live Vermilion:
// add / upsert / update / delete / get / query, filters, include, and distances in all three spaces.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChromaClient, ChromaClientError, ChromaNotFoundError } from "chromadb";

const url = new URL(process.env.VERMILION_URL ?? "http://localhost:8000");
// VERMILION_TOKEN, when set, is sent as x-chroma-token (a server with auth on, e.g. the cluster test's).
const token = process.env.VERMILION_TOKEN;
const client = new ChromaClient({ host: url.hostname, port: Number(url.port), ssl: false, ...(token ? { headers: { "x-chroma-token": token } } : {}) });
const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;

async function collection(space = "l2") {
  return client.createCollection({
    name: unique(`rec-${space}`),
    configuration: { hnsw: { space } },
    embeddingFunction: null,
  });
}

test("add, get in insertion order, count, include", async () => {
  const col = await collection();
  await col.add({
    ids: ["r3", "r1"],
    embeddings: [[3, 0], [1, 0]],
    documents: ["third doc", "first doc"],
    metadatas: [{ n: 3, tag: "odd" }, { n: 1, tag: "odd", f: 1.5 }],
    uris: ["u3", "u1"],
  });
  await col.add({ ids: ["r2"], embeddings: [[2, 0]], uris: ["u2"] });
  assert.equal(await col.count(), 3);

  const all = await col.get();
  assert.deepEqual(all.ids, ["r3", "r1", "r2"]);
  assert.deepEqual(all.documents, ["third doc", "first doc", null]);
  // r2 has a uri and no metadata: Chroma keeps the uri as a hidden metadata entry, so it answers {} (not null).
  assert.deepEqual(all.metadatas, [{ n: 3, tag: "odd" }, { n: 1, tag: "odd", f: 1.5 }, {}]);
  assert.deepEqual(all.include.sort(), ["documents", "metadatas"]);

  const some = await col.get({ ids: ["r2", "r3", "nope"], include: ["embeddings", "uris"] });
  assert.deepEqual(some.ids, ["r3", "r2"]);
  assert.deepEqual(some.embeddings, [[3, 0], [2, 0]]);
  assert.deepEqual(some.uris, ["u3", "u2"]);
  assert.deepEqual(some.documents, []); // not included: the server sends null, the client shows []

  const page = await col.get({ limit: 1, offset: 1 });
  assert.deepEqual(page.ids, ["r1"]);

  // Adding an existing id is ignored: the stored record keeps its values.
  await col.add({ ids: ["r1"], embeddings: [[9, 9]], documents: ["changed"] });
  const r1 = await col.get({ ids: ["r1"], include: ["documents", "embeddings"] });
  assert.deepEqual(r1.documents, ["first doc"]);
  assert.deepEqual(r1.embeddings, [[1, 0]]);
});

test("upsert and update merge metadata; update of a missing id is ignored", async () => {
  const col = await collection();
  await col.add({ ids: ["a"], embeddings: [[1, 1]], metadatas: [{ keep: "yes", change: 1 }], documents: ["doc a"] });
  await col.upsert({ ids: ["a", "b"], embeddings: [[2, 2], [3, 3]], metadatas: [{ change: 2, added: true }, { fresh: 1 }] });
  await col.update({ ids: ["b", "ghost"], metadatas: [{ second: "x" }, { never: 1 }] });
  const got = await col.get({ include: ["documents", "metadatas", "embeddings"] });
  assert.deepEqual(got.ids, ["a", "b"]);
  assert.deepEqual(got.metadatas, [{ keep: "yes", change: 2, added: true }, { fresh: 1, second: "x" }]);
  assert.deepEqual(got.documents, ["doc a", null]);
  assert.deepEqual(got.embeddings, [[2, 2], [3, 3]]);
  assert.equal(await col.count(), 2);
});

test("where and whereDocument filters", async () => {
  const col = await collection();
  await col.add({
    ids: ["p1", "p2", "p3", "p4"],
    embeddings: [[1, 0], [2, 0], [3, 0], [4, 0]],
    metadatas: [
      { year: 2001, genre: "rock", tags: ["a", "b"] },
      { year: 2010, genre: "jazz", tags: ["b"] },
      { year: 2020, genre: "rock" },
      { year: 2015.5 },
    ],
    documents: ["The quick fox", "Quickly jumping", "lazy dog", "4"],
  });
  const ids = async (args) => (await col.get(args)).ids;
  assert.deepEqual(await ids({ where: { genre: "rock" } }), ["p1", "p3"]);
  assert.deepEqual(await ids({ where: { year: { $gte: 2010 } } }), ["p2", "p3", "p4"]);
  assert.deepEqual(await ids({ where: { genre: { $ne: "rock" } } }), ["p2", "p4"]);
  assert.deepEqual(await ids({ where: { genre: { $nin: ["rock"] } } }), ["p2", "p4"]);
  assert.deepEqual(await ids({ where: { genre: { $in: ["jazz", "pop"] } } }), ["p2"]);
  assert.deepEqual(await ids({ where: { tags: { $contains: "b" } } }), ["p1", "p2"]);
  assert.deepEqual(await ids({ where: { $and: [{ genre: "rock" }, { year: { $lt: 2010 } }] } }), ["p1"]);
  assert.deepEqual(await ids({ where: { $or: [{ genre: "jazz" }, { year: { $gt: 2016 } }] } }), ["p2", "p3"]);
  assert.deepEqual(await ids({ whereDocument: { $contains: "uick" } }), ["p1", "p2"]);
  assert.deepEqual(await ids({ whereDocument: { $not_contains: "uick" } }), ["p3", "p4"]);
  assert.deepEqual(await ids({ whereDocument: { $regex: "^[A-Z]" } }), ["p1", "p2"]);
  assert.deepEqual(await ids({ where: { genre: "rock" }, whereDocument: { $contains: "dog" } }), ["p3"]);

  const q = await col.query({ queryEmbeddings: [[0, 0]], nResults: 10, where: { genre: "rock" } });
  assert.deepEqual(q.ids, [["p1", "p3"]]);
  assert.deepEqual(q.distances, [[1, 9]]);
});

test("delete by ids and by where", async () => {
  const col = await collection();
  await col.add({ ids: ["d1", "d2", "d3", "d4"], embeddings: [[1], [2], [3], [4]], metadatas: [{ k: 1 }, { k: 2 }, { k: 2 }, { k: 3 }] });
  const byIds = await col.delete({ ids: ["d1"] });
  assert.deepEqual((await col.get()).ids, ["d2", "d3", "d4"]);
  const byWhere = await col.delete({ where: { k: 2 } });
  assert.deepEqual((await col.get()).ids, ["d4"]);
  assert.equal(await col.count(), 1);
  assert.deepEqual(byIds, { deleted: 1 });
  assert.deepEqual(byWhere, { deleted: 2 });
});

test("query distances in l2, cosine and ip, ascending", async () => {
  const l2 = await collection("l2");
  await l2.add({ ids: ["near", "far"], embeddings: [[-1, 0], [2, 2]] });
  let r = await l2.query({ queryEmbeddings: [[1, 0]], nResults: 2, include: ["distances"] });
  assert.deepEqual(r.ids, [["near", "far"]]);
  assert.deepEqual(r.distances, [[4, 5]]);

  const cos = await collection("cosine");
  await cos.add({ ids: ["a", "b"], embeddings: [[3, 4], [-1, -1]] });
  r = await cos.query({ queryEmbeddings: [[2, 0]], nResults: 5, include: ["distances"] });
  assert.deepEqual(r.ids, [["a", "b"]]);
  assert.equal(r.distances[0][0], 0.39999998);
  assert.equal(r.distances[0][1], 1.7071068);

  const ip = await collection("ip");
  await ip.add({ ids: ["x", "y"], embeddings: [[3, 4], [0, 2]] });
  r = await ip.query({ queryEmbeddings: [[2, 0], [0, -1]], nResults: 1, include: ["distances", "embeddings"] });
  assert.deepEqual(r.ids, [["x"], ["y"]]);
  assert.deepEqual(r.distances, [[-5], [3]]);
  assert.deepEqual(r.embeddings, [[[3, 4]], [[0, 2]]]);
});

test("errors: dimension mismatch, missing collection", async () => {
  const col = await collection();
  await col.add({ ids: ["one"], embeddings: [[1, 2, 3]] });
  await assert.rejects(col.add({ ids: ["two"], embeddings: [[1, 2]] }), (e) => {
    assert.ok(e instanceof ChromaClientError);
    assert.match(e.message, /: Collection expecting embedding with dimension of 3, got 2$/);
    return true;
  });
  await assert.rejects(col.query({ queryEmbeddings: [[1, 2]] }), ChromaClientError);
  assert.equal(await col.count(), 1);
  await client.deleteCollection({ name: col.name });
  await assert.rejects(col.count(), ChromaNotFoundError);
});
