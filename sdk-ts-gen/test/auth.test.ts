/** Clients against a server with auth on: the key a client sends is what lets it in, and refusals are AuthErrors. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import { AuthError, CloudClient, VermilionClient } from "@vermilion/client";

import { type RunningServer, startServer } from "./server";

let server: RunningServer;

before(async () => {
  server = await startServer({ VERMILION_ADMIN_KEY: `admin-${randomUUID()}` });
});

after(async () => {
  await server?.stop();
});

function cloud(apiKey: string, tenant = "default_tenant"): CloudClient {
  return new CloudClient({ apiKey, tenant, database: "main", host: server.host, port: server.port, ssl: false });
}

/** A key of the tenant with that role, made with the admin key through the Admin API. */
async function createKey(tenant: string, role: "read_write" | "read_only"): Promise<string> {
  const answer = await fetch(`http://${server.host}:${server.port}/api/v2/admin/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-chroma-token": server.adminKey! },
    body: JSON.stringify({ tenant, role }),
  });
  assert.equal(answer.status, 200, await answer.clone().text());
  return ((await answer.json()) as { key: string }).key;
}

function isAuthError(status: number, message: string) {
  return (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.equal(e.status, status);
    assert.equal(e.errorName, "AuthError");
    assert.equal(e.message, message);
    return true;
  };
}

describe("Vermilion TypeScript SDK against a server with auth on", () => {
  test("without a valid key only public routes answer", async () => {
    const anonymous = new VermilionClient({ host: server.host, port: server.port });
    assert.ok((await anonymous.heartbeat()) > 0);
    await assert.rejects(anonymous.listCollections(), isAuthError(401, "Missing API key in the request header"));
    await assert.rejects(cloud("not-a-key").listCollections(), isAuthError(401, "Permission denied."));
  });

  test("CloudClient with a key runs the lifecycle", async () => {
    const tenant = `sdk-${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const admin = cloud(server.adminKey!, tenant);
    await admin.createTenant({ name: tenant });
    await admin.createDatabase({ name: "main" });

    const writer = cloud(await createKey(tenant, "read_write"), tenant);
    const docs = await writer.createCollection({ name: "docs", configuration: { hnsw: { space: "cosine" } } });
    await docs.add({ ids: ["a", "b"], embeddings: [[1, 0], [0, 1]], documents: ["apple pie", "banana split"] });
    assert.equal(await docs.count(), 2);
    assert.deepEqual((await docs.query({ queryEmbeddings: [[0.9, 0.1]], nResults: 1 })).documents, [["apple pie"]]);

    const reader = cloud(await createKey(tenant, "read_only"), tenant);
    const readOnlyDocs = await reader.getCollection({ name: "docs" });
    assert.deepEqual((await readOnlyDocs.get()).ids, ["a", "b"]);
    await assert.rejects(readOnlyDocs.add({ ids: ["c"], embeddings: [[0.5, 0.5]] }), isAuthError(403, "Permission denied."));

    await writer.deleteCollection({ name: "docs" });
    assert.equal(await writer.countCollections(), 0);
  });
});
