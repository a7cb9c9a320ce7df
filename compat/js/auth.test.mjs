// The official Chroma JS client (npm chromadb 3.5.0) against a Vermilion with auth on, over TLS: CloudClient with
// an API key pointed at our URL, ChromaClient with the key in its headers, and the client's auth error classes.
// Needs VERMILION_URL (https), VERMILION_ADMIN_KEY, and NODE_EXTRA_CA_CERTS trusting the server's certificate.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ChromaClient,
  ChromaForbiddenError,
  ChromaUnauthorizedError,
  CloudClient,
} from "chromadb";

const url = new URL(process.env.VERMILION_URL ?? "https://localhost:8443");
const adminKey = process.env.VERMILION_ADMIN_KEY;
const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;

async function admin(method, path, body) {
  const response = await fetch(new URL(path, url), {
    method,
    headers: { "x-chroma-token": adminKey, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  assert.equal(response.status, 200, `${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

async function tenantWithKeys() {
  const tenant = unique("cloud");
  await admin("POST", "/api/v2/tenants", { name: tenant });
  await admin("POST", `/api/v2/tenants/${tenant}/databases`, { name: "main" });
  const scoped = await admin("POST", "/api/v2/admin/keys", { tenant, role: "read_write", databases: ["main"] });
  const readOnly = await admin("POST", "/api/v2/admin/keys", { tenant, role: "read_only" });
  return { tenant, key: scoped.key, readOnlyKey: readOnly.key };
}

test("CloudClient with an API key resolves its tenant and database from the key and works", async () => {
  const { tenant, key } = await tenantWithKeys();
  const client = new CloudClient({ apiKey: key, host: url.hostname, port: Number(url.port) });
  const identity = await client.getUserIdentity();
  assert.equal(identity.tenant, tenant);
  assert.deepEqual(identity.databases, ["main"]);

  const col = await client.createCollection({ name: "docs", embeddingFunction: null });
  assert.equal(col.tenant, tenant);
  assert.equal(col.database, "main");
  await col.add({ ids: ["a", "b"], embeddings: [[1, 0], [0, 1]], documents: ["apple", "pear"] });
  const hits = await col.query({ queryEmbeddings: [[1, 0.1]], nResults: 1 });
  assert.deepEqual(hits.ids, [["a"]]);
  assert.deepEqual(hits.documents, [["apple"]]);
  assert.equal(await col.count(), 2);
  assert.deepEqual((await client.listCollections()).map((c) => c.name), ["docs"]);
});

test("ChromaClient with the key in its headers works in the key's tenant and nowhere else", async () => {
  const { tenant, key } = await tenantWithKeys();
  const other = await tenantWithKeys();
  const base = { host: url.hostname, port: Number(url.port), ssl: true };
  const client = new ChromaClient({ ...base, tenant, database: "main", headers: { "x-chroma-token": key } });
  const col = await client.getOrCreateCollection({ name: "notes", embeddingFunction: null });
  await col.add({ ids: ["n1"], embeddings: [[1, 2, 3]] });
  assert.equal(await col.count(), 1);

  const trespasser = new ChromaClient({ ...base, tenant: other.tenant, database: "main", headers: { "x-chroma-token": key } });
  await assert.rejects(trespasser.listCollections(), ChromaForbiddenError);
  const anonymous = new ChromaClient({ ...base, tenant, database: "main" });
  await assert.rejects(anonymous.listCollections(), ChromaUnauthorizedError);
  const wrongKey = new ChromaClient({ ...base, tenant, database: "main", headers: { "x-chroma-token": "vmk_nope" } });
  await assert.rejects(wrongKey.countCollections(), ChromaUnauthorizedError);
});

test("a read-only key reads but cannot write", async () => {
  const { tenant, key, readOnlyKey } = await tenantWithKeys();
  const base = { host: url.hostname, port: Number(url.port), ssl: true, tenant, database: "main" };
  const writer = new ChromaClient({ ...base, headers: { "x-chroma-token": key } });
  const col = await writer.createCollection({ name: "read-only", embeddingFunction: null });
  await col.add({ ids: ["x"], embeddings: [[1, 1]] });
  const reader = new ChromaClient({ ...base, headers: { "x-chroma-token": readOnlyKey } });
  const seen = await reader.getCollection({ name: "read-only" });
  assert.equal(await seen.count(), 1);
  await assert.rejects(seen.add({ ids: ["y"], embeddings: [[2, 2]] }), ChromaForbiddenError);
  assert.equal(await seen.count(), 1);
});
