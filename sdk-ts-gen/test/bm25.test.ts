/** Vermilion's BM25 extension through the Search builder, against the packaged server: `bm25` ranks documents by
 * BM25, fuses with a dense `knn` by `rrf`, and its text is never handed to the embedding function. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import { type EmbeddingFunction, VermilionClient, bm25, knn, rrf } from "@vermilion/client";

import { type RunningServer, startServer } from "./server";

let server: RunningServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

/** Counts of the letters a, b and c. */
class Letters implements EmbeddingFunction {
  calls: string[][] = [];
  async generate(texts: string[]): Promise<number[][]> {
    this.calls.push([...texts]);
    const count = (t: string, c: string) => [...t].filter((x) => x === c).length;
    return texts.map((t) => [count(t, "a"), count(t, "b"), count(t, "c")]);
  }
}

test("bm25 ranks documents, fuses with a dense knn and is not embedded", async () => {
  const tenant = `sdk-${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new VermilionClient({ host: server.host, port: server.port });
  await admin.createTenant({ name: tenant });
  await admin.createDatabase({ name: "main", tenant });
  const c = new VermilionClient({ host: server.host, port: server.port, tenant, database: "main" });
  const letters = new Letters();
  const col = await c.createCollection({ name: "bm25", embeddingFunction: letters });
  await col.add({ ids: ["x", "y", "z"], documents: ["apple pie", "banana bread", "cherry apple tart"] });

  assert.deepEqual(bm25({ query: "Apple", limit: 5 }), { $knn: { query: "Apple", key: "#document", limit: 5 } });
  const result = await col.search([
    { rank: bm25({ query: "Apple", limit: 5 }), select: ["#score"] },
    {
      rank: rrf([
        knn({ query: "bb", limit: 1, default: 100, returnRank: true }),
        bm25({ query: "apple", limit: 2, default: 100, returnRank: true }),
      ]),
      select: ["#score"],
    },
    { where: { "#id": { $ne: "x" } }, rank: bm25({ query: "apple pie" }) },
  ]);
  // Both apple documents: the shorter one scores higher (lower -bm25).
  assert.deepEqual(result.ids, [["x", "z"], ["x", "z"], ["z"]]);
  const scores = result.scores[0] ?? [];
  assert.ok((scores[0] ?? 0) < (scores[1] ?? 0) && (scores[1] ?? 0) < 0, `${scores}`);
  assert.ok(Math.abs((result.scores[1]?.[0] ?? 0) + (1 / 60 + 1 / 60)) < 1e-6);
  assert.ok(Math.abs((result.scores[1]?.[1] ?? 0) + (1 / 160 + 1 / 61)) < 1e-6);
  assert.deepEqual(letters.calls, [["apple pie", "banana bread", "cherry apple tart"], ["bb"]]);
});
