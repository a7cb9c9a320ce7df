// The official Chroma JS client (npm chromadb 3.5.0) with a collection Vermilion embeds on the server (its
// embedding_function is Chroma's "default"): what the client can and cannot do with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChromaClient, ChromaValueError } from "chromadb";

const url = new URL(process.env.VERMILION_URL ?? "http://localhost:8000");
const base = `${url.protocol}//${url.host}/api/v2/tenants/default_tenant/databases/default_database/collections`;
const client = new ChromaClient({ host: url.hostname, port: Number(url.port), ssl: false });
const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;

async function post(path, body) {
  const r = await fetch(`${base}/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

test("a collection created without an embedding function is embedded on the server", async () => {
  // Without @chroma-core/default-embed the client still names Chroma's default function in the configuration.
  const col = await client.createCollection({ name: unique("srv-emb"), configuration: { hnsw: { space: "cosine" } } });
  const stored = await (await fetch(`${base}/${col.name}`)).json();
  assert.deepEqual(stored.configuration_json.embedding_function, { type: "known", name: "default", config: {} });

  // The client refuses documents without embeddings itself (it would embed them on the client): nothing is sent.
  await assert.rejects(col.add({ ids: ["a"], documents: ["apple pie recipe"] }), ChromaValueError);
  await assert.rejects(col.query({ queryTexts: ["apple"] }), ChromaValueError);
  assert.equal(await col.count(), 0);

  // Documents written without embeddings over HTTP (or by Vermilion's SDKs) are embedded by the server...
  assert.equal((await post(`${col.id}/add`, { ids: ["a", "b"], documents: ["apple pie recipe", "how to repair a bicycle tyre"] })).status, 201);
  const got = await col.get({ include: ["embeddings", "documents"] });
  assert.deepEqual(got.ids, ["a", "b"]);
  assert.equal(got.embeddings[0].length, 384);

  // ...and the client reads them and queries them with embeddings, and with text through the server's query_texts.
  const byVector = await col.query({ queryEmbeddings: [got.embeddings[1]], nResults: 1 });
  assert.deepEqual(byVector.ids, [["b"]]);
  const byText = await post(`${col.id}/query`, { query_texts: ["fixing a flat bike wheel"], n_results: 1 });
  assert.equal(byText.status, 200);
  assert.deepEqual(byText.body.ids, [["b"]]);

  // Records with embeddings from the client are stored as given.
  await col.add({ ids: ["c"], embeddings: [got.embeddings[0]], documents: ["another pie"] });
  assert.equal(await col.count(), 3);
});

test("embeddingFunction: null names no function: the server does not embed", async () => {
  const col = await client.createCollection({ name: unique("no-emb"), embeddingFunction: null });
  const r = await post(`${col.id}/add`, { ids: ["a"], documents: ["apple"] });
  assert.equal(r.status, 422);
  assert.equal(await col.count(), 0);
});
