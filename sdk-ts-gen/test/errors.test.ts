/** How error responses become errors (no server needed). */
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  AuthError,
  InvalidArgumentError,
  NotFoundError,
  QuotaExceededError,
  RateLimitError,
  ServerError,
  UniqueConstraintError,
  VermilionError,
  errorFor,
} from "@vermilion/client";

const body = (error: string, message: string) => JSON.stringify({ error, message });

const cases: [number, string, new (...args: never[]) => VermilionError][] = [
  [400, "InvalidArgumentError", InvalidArgumentError],
  [400, "ChromaError", InvalidArgumentError],
  [401, "ChromaError", AuthError],
  [403, "ChromaError", AuthError],
  [404, "NotFoundError", NotFoundError],
  [409, "ChromaError", UniqueConstraintError],
  [422, "ChromaError", InvalidArgumentError],
  [429, "ChromaError", RateLimitError],
  [500, "InternalError", ServerError],
  [503, "ChromaError", ServerError],
];

for (const [status, name, expected] of cases) {
  test(`${status} ${name} becomes ${expected.name}`, () => {
    const error = errorFor(status, body(name, "m"));
    assert.equal(error.constructor, expected);
    assert.ok(error instanceof VermilionError && error instanceof Error);
    assert.equal(error.status, status);
    assert.equal(error.message, "m");
    assert.equal(error.errorName, expected.name);
    assert.equal(error.name, expected.name);
  });
}

test("a quota refusal is QuotaExceededError", () => {
  const message =
    "Quota exceeded: 'Number of records' exceeded quota limit for action 'Add': current usage of 6 exceeds limit of 5";
  const error = errorFor(422, body("ChromaError", message));
  assert.equal(error.constructor, QuotaExceededError);
  assert.equal(error.message, message);
});

test("an unclassified status keeps the server's name", () => {
  const error = errorFor(415, body("ChromaError", "Unsupported media type"));
  assert.equal(error.constructor, VermilionError);
  assert.equal(error.errorName, "ChromaError");
  assert.equal(error.status, 415);
});

test("a body that is not JSON becomes the message", () => {
  const error = errorFor(502, "Bad Gateway");
  assert.equal(error.constructor, ServerError);
  assert.equal(error.message, "Bad Gateway");
});
