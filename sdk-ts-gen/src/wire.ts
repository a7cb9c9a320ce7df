/**
 * Between plain values and the generated client (src/gen): the generated API groups over one configuration,
 * error translation, and embedding encoding. Internal to the package.
 */
import {
  CollectionApi,
  Configuration,
  DatabaseApi,
  RecordApi,
  RequiredError,
  ResponseError,
  SystemApi,
  TenantApi,
} from "./gen";
import { InvalidArgumentError, errorFor } from "./errors";

/** One embedding: numbers, or a Float32Array. */
export type EmbeddingInput = readonly number[] | Float32Array;

export class Api {
  readonly system: SystemApi;
  readonly tenants: TenantApi;
  readonly databases: DatabaseApi;
  readonly collections: CollectionApi;
  readonly records: RecordApi;

  constructor(configuration: Configuration) {
    this.system = new SystemApi(configuration);
    this.tenants = new TenantApi(configuration);
    this.databases = new DatabaseApi(configuration);
    this.collections = new CollectionApi(configuration);
    this.records = new RecordApi(configuration);
  }
}

/** Runs a generated call, turning its failures into `VermilionError`s (network failures pass through). */
export async function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (e) {
    if (e instanceof ResponseError) {
      throw errorFor(e.response.status, await e.response.text().catch(() => undefined));
    }
    if (e instanceof RequiredError) {
      throw new InvalidArgumentError(e.message);
    }
    throw e;
  }
}

/** `"a"` → `["a"]`; arrays pass through; undefined stays undefined. */
export function oneOrMany<T>(value: T | readonly T[] | undefined): T[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/** Embeddings as JSON float arrays (a Float32Array's values are exact as doubles). */
export function floatArrays(embeddings: readonly EmbeddingInput[]): number[][] {
  return embeddings.map((e) => Array.from(e));
}
