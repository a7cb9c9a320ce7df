// The official Chroma JS client (npm chromadb 3.5.0) against a live Vermilion: tenants, databases,
// collections and the client's error classes. VERMILION_URL points at the server under test.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AdminClient,
  ChromaClient,
  ChromaClientError,
  ChromaNotFoundError,
  ChromaUniqueError,
} from "chromadb";

const url = new URL(process.env.VERMILION_URL ?? "http://localhost:8000");
// VERMILION_TOKEN, when set, is sent as x-chroma-token (a server with auth on, e.g. the cluster test's).
const token = process.env.VERMILION_TOKEN;
const server = { host: url.hostname, port: Number(url.port), ssl: false, ...(token ? { headers: { "x-chroma-token": token } } : {}) };
const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;

test("heartbeat and version", async () => {
  const client = new ChromaClient(server);
  const beat = await client.heartbeat();
  assert.ok(beat > 1.7e18, `heartbeat ${beat} is nanoseconds since the epoch`);
  assert.equal(await client.version(), "1.0.0");
});

test("tenants and databases through the admin client", async () => {
  const admin = new AdminClient(server);
  const tenant = unique("tenant");
  await admin.createTenant({ name: tenant });
  assert.equal(await admin.getTenant({ name: tenant }), tenant);
  await assert.rejects(admin.createTenant({ name: tenant }), ChromaUniqueError);
  await assert.rejects(admin.getTenant({ name: unique("missing") }), ChromaNotFoundError);

  await admin.createDatabase({ name: "db_one", tenant });
  await admin.createDatabase({ name: "db_two", tenant });
  await assert.rejects(admin.createDatabase({ name: "db_one", tenant }), ChromaUniqueError);
  await assert.rejects(admin.createDatabase({ name: "x", tenant }), ChromaClientError);

  const db = await admin.getDatabase({ name: "db_one", tenant });
  assert.equal(db.name, "db_one");
  assert.equal(db.tenant, tenant);
  assert.match(db.id, /^[0-9a-f-]{36}$/);

  const all = await admin.listDatabases({ tenant });
  assert.deepEqual(all.map((d) => d.name), ["db_one", "db_two"]);
  const page = await admin.listDatabases({ tenant, limit: 1, offset: 1 });
  assert.deepEqual(page.map((d) => d.name), ["db_two"]);

  await admin.deleteDatabase({ name: "db_two", tenant });
  await assert.rejects(admin.getDatabase({ name: "db_two", tenant }), ChromaNotFoundError);
  assert.deepEqual((await admin.listDatabases({ tenant })).map((d) => d.name), ["db_one"]);
});

test("collections: create, list, count, get, modify, rename, delete", async () => {
  const admin = new AdminClient(server);
  const tenant = unique("tenant");
  await admin.createTenant({ name: tenant });
  await admin.createDatabase({ name: "library", tenant });
  const client = new ChromaClient({ ...server, tenant, database: "library" });

  const books = await client.createCollection({
    name: "books",
    metadata: { genre: "fiction", shelves: 3, weight: 1.5, open: true },
    configuration: { hnsw: { space: "cosine", ef_search: 50 } },
    embeddingFunction: null,
  });
  assert.equal(books.name, "books");
  assert.match(books.id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(books.metadata, { genre: "fiction", shelves: 3, weight: 1.5, open: true });
  assert.equal(books.configuration.hnsw.space, "cosine");
  assert.equal(books.configuration.hnsw.ef_search, 50);
  assert.equal(books.configuration.hnsw.ef_construction, 100);
  assert.equal(books.configuration.hnsw.max_neighbors, 16);

  await assert.rejects(client.createCollection({ name: "books", embeddingFunction: null }), ChromaUniqueError);
  await assert.rejects(client.createCollection({ name: "a..b", embeddingFunction: null }), ChromaClientError);

  const same = await client.getOrCreateCollection({ name: "books", metadata: { other: 1 }, embeddingFunction: null });
  assert.equal(same.id, books.id);
  assert.deepEqual(same.metadata, { genre: "fiction", shelves: 3, weight: 1.5, open: true });

  const films = await client.getOrCreateCollection({ name: "films", embeddingFunction: null });
  await client.createCollection({ name: "songs", embeddingFunction: null });
  assert.equal(await client.countCollections(), 3);

  const listed = await client.listCollections();
  const expectedOrder = [books, films, (await client.getCollection({ name: "songs" }))]
    .map((c) => c.id)
    .sort();
  assert.deepEqual(listed.map((c) => c.id), expectedOrder);
  assert.equal((await client.listCollections({ limit: 2 })).length, 2);
  assert.deepEqual((await client.listCollections({ limit: 2, offset: 2 })).map((c) => c.id), [expectedOrder[2]]);

  const fetched = await client.getCollection({ name: "books" });
  assert.equal(fetched.id, books.id);
  const byId = await client.getCollectionById(books.id);
  assert.equal(byId.name, "books");
  await assert.rejects(client.getCollection({ name: "nope" }), ChromaNotFoundError);

  await fetched.modify({ metadata: { genre: "poetry" } });
  assert.deepEqual((await client.getCollection({ name: "books" })).metadata, { genre: "poetry" });

  await fetched.modify({ name: "volumes" });
  await assert.rejects(client.getCollection({ name: "books" }), ChromaNotFoundError);
  const renamed = await client.getCollection({ name: "volumes" });
  assert.equal(renamed.id, books.id);
  await assert.rejects(renamed.modify({ name: "films" }), ChromaUniqueError);

  await client.deleteCollection({ name: "volumes" });
  await assert.rejects(client.getCollection({ name: "volumes" }), ChromaNotFoundError);
  await assert.rejects(client.deleteCollection({ name: "volumes" }), ChromaNotFoundError);
  assert.equal(await client.countCollections(), 2);
});

test("the default tenant and database exist from the start", async () => {
  const client = new ChromaClient(server);
  const name = unique("default-db-col");
  const col = await client.createCollection({ name, embeddingFunction: null });
  assert.equal(col.tenant, "default_tenant");
  assert.equal(col.database, "default_database");
  assert.equal(col.configuration.hnsw.space, "l2");
  await client.deleteCollection({ name });
});

test("fork: a copy-on-write collection that goes its own way", async () => {
  const client = new ChromaClient(server);
  const source = await client.createCollection({ name: unique("fork-src"), embeddingFunction: null });
  await source.add({ ids: ["a", "b"], embeddings: [[1, 0], [0, 1]], documents: ["alpha", "beta"] });
  const forkName = unique("fork-dst");
  const forked = await source.fork({ name: forkName });
  assert.equal(forked.name, forkName);
  assert.notEqual(forked.id, source.id);
  assert.deepEqual((await forked.get()).ids, ["a", "b"]);

  await forked.add({ ids: ["c"], embeddings: [[1, 1]], documents: ["gamma"] });
  await source.delete({ ids: ["a"] });
  assert.deepEqual((await forked.get()).ids, ["a", "b", "c"]);
  assert.deepEqual((await source.get()).ids, ["b"]);
  assert.equal(await source.forkCount(), 1);
  assert.equal(await forked.forkCount(), 1);
  await assert.rejects(source.fork({ name: forkName }), ChromaUniqueError);

  await client.deleteCollection({ name: source.name });
  const left = await forked.get({ include: ["documents", "embeddings"] });
  assert.deepEqual(left.documents, ["alpha", "beta", "gamma"]);
  assert.deepEqual(left.embeddings, [[1, 0], [0, 1], [1, 1]]);
  await assert.rejects(source.fork({ name: unique("orphan") }), ChromaNotFoundError);
});
