/** The SDK scenario shared by every Vermilion SDK (Java, Python, TypeScript), against the packaged server. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { type IncomingHttpHeaders, type Server, createServer, request } from "node:http";
import { after, before, describe, test } from "node:test";

import {
  CloudClient,
  type Collection,
  InvalidArgumentError,
  NotFoundError,
  UniqueConstraintError,
  VermilionClient,
  VermilionError,
  knn,
  rrf,
} from "@vermilion/client";

import { type RunningServer, startServer } from "./server";

let server: RunningServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

/** A new tenant `sdk-<random>` with a database `main`; the name is logged for re-runs against a live server. */
async function newTenant(): Promise<string> {
  const tenant = `sdk-${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  console.log(`tenant: ${tenant}`);
  const admin = new VermilionClient({ host: server.host, port: server.port });
  await admin.createTenant({ name: tenant });
  await admin.createDatabase({ name: "main", tenant });
  return tenant;
}

function scopedClient(tenant: string): VermilionClient {
  return new VermilionClient({ host: server.host, port: server.port, tenant, database: "main" });
}

function cosineDistance(a: number[], b: number[]): number {
  const dot = a.reduce((s, x, i) => s + x * b[i], 0);
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return 1 - dot / (norm(a) * norm(b));
}

function createDocs(client: VermilionClient): Promise<Collection> {
  return client.createCollection({
    name: "docs",
    metadata: { topic: "sdk", version: 2 },
    configuration: { hnsw: { space: "cosine" } },
  });
}

async function addFruits(docs: Collection): Promise<void> {
  await docs.add({
    ids: ["a", "b", "c"],
    embeddings: [[1, 0, 0], new Float32Array([0, 1, 0]), [0, 0, 1]],
    documents: ["apple pie", "banana split", "cherry tart"],
    metadatas: [
      { fruit: "apple", n: 1 },
      { fruit: "banana", n: 2 },
      { fruit: "cherry", n: 3 },
    ],
  });
}

describe("Vermilion TypeScript SDK against the packaged server", () => {
  test("records round-trip through every operation", async () => {
    const tenant = await newTenant();
    const docs = await createDocs(scopedClient(tenant));
    assert.equal(docs.name, "docs");
    assert.equal(docs.tenant, tenant);
    assert.equal(docs.database, "main");
    assert.deepEqual(docs.metadata, { topic: "sdk", version: 2 });
    assert.equal((docs.configuration.hnsw as { space: string }).space, "cosine");

    await addFruits(docs);
    assert.equal(await docs.count(), 3);

    const found = await docs.get({ where: { n: { $gte: 2 } } });
    assert.deepEqual(found.ids, ["b", "c"]);
    assert.deepEqual(found.documents, ["banana split", "cherry tart"]);
    assert.deepEqual(found.metadatas, [
      { fruit: "banana", n: 2 },
      { fruit: "cherry", n: 3 },
    ]);
    assert.equal(found.embeddings, null);

    const q = [1, 0.1, 0];
    const hits = await docs.query({ queryEmbeddings: [q], nResults: 2 });
    assert.deepEqual(hits.ids, [["a", "b"]]);
    assert.deepEqual(hits.documents, [["apple pie", "banana split"]]);
    assert.deepEqual(hits.metadatas, [
      [
        { fruit: "apple", n: 1 },
        { fruit: "banana", n: 2 },
      ],
    ]);
    const distances = hits.distances![0];
    assert.equal(distances.length, 2);
    assert.ok(Math.abs(distances[0] - cosineDistance(q, [1, 0, 0])) <= 1e-6, `distance to a: ${distances[0]}`);
    assert.ok(Math.abs(distances[1] - cosineDistance(q, [0, 1, 0])) <= 1e-6, `distance to b: ${distances[1]}`);

    await docs.upsert({ ids: ["b"], embeddings: [[0, 1, 0]], metadatas: [{ n: 20 }] });
    const b = await docs.get({ ids: ["b"], include: ["metadatas", "documents", "embeddings"] });
    assert.deepEqual(b.ids, ["b"]);
    assert.deepEqual(b.metadatas, [{ fruit: "banana", n: 20 }]);
    assert.deepEqual(b.documents, ["banana split"]);
    assert.deepEqual(b.embeddings, [[0, 1, 0]]);

    await docs.update({ ids: ["c"], documents: ["cherry pie"] });
    const c = await docs.get({ ids: ["c"] });
    assert.deepEqual(c.documents, ["cherry pie"]);
    assert.deepEqual(c.metadatas, [{ fruit: "cherry", n: 3 }]);

    assert.equal(await docs.delete({ where: { fruit: "apple" } }), 1);
    assert.equal(await docs.count(), 2);
    assert.deepEqual((await docs.get()).ids, ["b", "c"]);
  });

  test("failures reject with Chroma-named errors", async () => {
    const client = scopedClient(await newTenant());
    const docs = await createDocs(client);
    await addFruits(docs);

    await assert.rejects(client.getCollection({ name: "missing" }), (e: unknown) => {
      assert.ok(e instanceof NotFoundError && e instanceof VermilionError);
      assert.equal(e.status, 404);
      assert.equal(e.errorName, "NotFoundError");
      assert.equal(e.message, "Collection [missing] does not exist");
      return true;
    });

    await assert.rejects(createDocs(client), (e: unknown) => {
      assert.ok(e instanceof UniqueConstraintError && e instanceof VermilionError);
      assert.equal(e.status, 409);
      assert.equal(e.errorName, "UniqueConstraintError");
      assert.equal(e.message, "Collection [docs] already exists");
      return true;
    });

    await assert.rejects(docs.add({ ids: ["d"], embeddings: [[1, 0]] }), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError && e instanceof VermilionError);
      assert.equal(e.status, 400);
      assert.equal(e.errorName, "InvalidArgumentError");
      assert.equal(e.message, "Collection expecting embedding with dimension of 3, got 2");
      return true;
    });
    assert.equal(await docs.count(), 3);
  });

  test("CloudClient sends its API key on every request", async () => {
    const tenant = await newTenant();
    const proxy = await capturingProxy(server.port);
    try {
      const key = "ck-sdk-test-7f3a";
      const cloud = new CloudClient({ apiKey: key, tenant, database: "main", host: "127.0.0.1", port: proxy.port, ssl: false });

      const docs = await createDocs(cloud);
      await addFruits(docs);
      assert.equal(await docs.count(), 3);
      assert.equal((await cloud.getCollection({ name: "docs" })).id, docs.id);
      assert.deepEqual((await docs.query({ queryEmbeddings: [0, 0, 1], nResults: 1 })).ids, [["c"]]);
      await cloud.deleteCollection({ name: "docs" });
      assert.equal(await cloud.countCollections(), 0);

      assert.deepEqual(
        proxy.requests.map((r) => [r.method, r.path.split("/").pop()]),
        [
          ["POST", "collections"],
          ["POST", "add"],
          ["GET", "count"],
          ["GET", "docs"],
          ["POST", "query"],
          ["DELETE", "docs"],
          ["GET", "collections_count"],
        ],
      );
      assert.deepEqual(
        proxy.requests.map((r) => r.headers["x-chroma-token"]),
        Array(7).fill(key),
      );

      // The plain client sends no key.
      await new VermilionClient({ host: "127.0.0.1", port: proxy.port, tenant, database: "main" }).countCollections();
      assert.equal(proxy.requests.at(-1)!.headers["x-chroma-token"], undefined);
    } finally {
      await proxy.close();
    }
  });

  test("collections are listed, counted, renamed and deleted", async () => {
    const client = scopedClient(await newTenant());
    assert.deepEqual(await client.listCollections(), []);
    assert.equal(await client.countCollections(), 0);

    const docs = await createDocs(client);
    const notes = await client.createCollection({ name: "notes" });
    const listed = await client.listCollections();
    assert.deepEqual(listed.map((c) => c.name).sort(), ["docs", "notes"]);
    assert.deepEqual(new Set(listed.map((c) => c.id)), new Set([docs.id, notes.id]));
    assert.equal(await client.countCollections(), 2);

    await docs.modify({ name: "articles", metadata: { topic: "renamed" } });
    assert.equal(docs.name, "articles");
    assert.deepEqual(docs.metadata, { topic: "renamed" });
    const renamed = await client.getCollection({ name: "articles" });
    assert.equal(renamed.id, docs.id);
    assert.deepEqual(renamed.metadata, { topic: "renamed" });
    await assert.rejects(client.getCollection({ name: "docs" }), NotFoundError);

    await client.deleteCollection({ name: "articles" });
    assert.deepEqual((await client.listCollections()).map((c) => c.name), ["notes"]);
    assert.equal(await client.countCollections(), 1);
    await client.deleteCollection({ name: "notes" });
    assert.equal(await client.countCollections(), 0);
    await assert.rejects(client.deleteCollection({ name: "notes" }), NotFoundError);
  });

  test("search ranks, fuses, filters, groups and reports indexing", async () => {
    const client = scopedClient(await newTenant());
    const col = await client.createCollection({ name: "search" });
    await col.add({
      ids: ["a", "b", "c", "d"],
      embeddings: [[0, 0], [1, 0], [2, 0], [3, 0]],
      documents: ["apple pie", "banana split", "cherry tart", "date loaf"],
      metadatas: [{ kind: "fruit" }, { kind: "fruit" }, { kind: "stone" }, { kind: "stone" }],
    });
    const result = await col.search([
      { rank: knn({ query: [2.4, 0], limit: 3 }), limit: 2, select: ["#document", "#score", "kind"] },
      {
        rank: rrf([knn({ query: [0, 0], limit: 3, returnRank: true }), knn({ query: [3, 0], limit: 3, returnRank: true })]),
        select: ["#score"],
      },
      {
        where: { "#id": { $nin: ["a"] } },
        rank: knn({ query: [0, 0], limit: 4 }),
        groupBy: { keys: ["kind"], aggregate: { $min_k: { keys: ["#score"], k: 1 } } },
        select: ["#score"],
      },
    ]);
    assert.deepEqual(result.ids, [["c", "d"], ["b", "c"], ["b", "c"]]);
    assert.deepEqual(result.documents[0], ["cherry tart", "date loaf"]);
    assert.deepEqual(result.metadatas[0], [{ kind: "stone" }, { kind: "stone" }]);
    const dense = result.scores[0] ?? [];
    assert.ok(Math.abs((dense[0] ?? 0) - 0.16) < 1e-6 && Math.abs((dense[1] ?? 0) - 0.36) < 1e-6, `${dense}`);
    assert.ok(Math.abs((result.scores[1]?.[0] ?? 0) + (1 / 61 + 1 / 62)) < 1e-6);
    assert.deepEqual(result.scores[2], [1, 4]);
    assert.equal(result.documents[1], null);
    const compacted = await col.search([{ rank: knn({ query: [0, 0] }) }], { readLevel: "index_only" });
    assert.deepEqual(compacted.ids, [[]]);
    const status = await col.indexingStatus();
    assert.deepEqual([status.totalOps, status.numUnindexedOps, status.numIndexedOps], [4, 4, 0]);
  });
});

interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** A local HTTP proxy in front of the server that records each request's method, path and headers. */
async function capturingProxy(upstreamPort: number) {
  const requests: CapturedRequest[] = [];
  const proxy: Server = createServer((req, res) => {
    requests.push({ method: req.method!, path: req.url!, headers: req.headers });
    const upstream = request(
      { host: "127.0.0.1", port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (e) => res.destroy(e));
    req.pipe(upstream);
  });
  await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
  return {
    requests,
    port: (proxy.address() as { port: number }).port,
    close: () =>
      new Promise<void>((ok) => {
        proxy.closeAllConnections();
        proxy.close(() => ok());
      }),
  };
}
