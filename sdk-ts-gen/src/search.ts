/**
 * The Search API's parts as the JSON the server reads: rank expressions (knn, bm25, arithmetic, rrf) and searches.
 * Lower scores rank first; `rrf` builds reciprocal rank fusion the way Chroma's clients compile it.
 */

import { type SparseVector, isSparseVector, sparseVectorToWire } from "./sparse";

export type Rank = Record<string, unknown>;

export interface KnnOptions {
  /** The dense query vector, or a text: embedded by the collection's embedding function when it has one,
   * otherwise by the server (a collection it embeds); or a sparse vector, ranking the sparse vectors under `key`
   * by `1 - query·vector`. */
  query: number[] | string | SparseVector;
  /** The metadata key of a sparse vector index (in the collection schema) for a sparse query; default `#embedding`. */
  key?: string;
  /** How many nearest records score their distance (default 16). */
  limit?: number;
  /** The score of records outside the nearest `limit`; without it they drop out. */
  default?: number;
  /** Score the 0-based position instead of the distance. */
  returnRank?: boolean;
}

export const knn = (options: KnnOptions): Rank => {
  const query = options.query;
  if (isSparseVector(query) && options.key === undefined) {
    throw new TypeError("a sparse knn needs the metadata key of its sparse vector index");
  }
  const body: Record<string, unknown> = {
    query: typeof query === "string" ? query : isSparseVector(query) ? sparseVectorToWire(query) : [...query],
  };
  if (options.key !== undefined) body.key = options.key;
  body.limit = options.limit ?? 16;
  if (options.default !== undefined) body.default = options.default;
  if (options.returnRank) body.return_rank = true;
  return { $knn: body };
};
/** The `$knn` key that makes a text query BM25 over the records' documents. */
export const DOCUMENT_KEY = "#document";

export interface Bm25Options {
  /** The text; the server analyzes it as it indexes documents. */
  query: string;
  /** How many best-matching records score `-bm25` (default 16). */
  limit?: number;
  /** The score of records outside the best `limit`; without it they drop out. */
  default?: number;
  /** Score the 0-based position instead of `-bm25`. */
  returnRank?: boolean;
}

/**
 * Vermilion's BM25 extension: the `limit` records whose document best matches the text by BM25 (over the server's
 * text index, compacted records and log tail alike). Never embedded; fuse it with a dense `knn` by `rrf` for hybrid
 * search.
 */
export const bm25 = (options: Bm25Options): Rank => {
  if (typeof options.query !== "string") throw new TypeError("bm25 needs a text query");
  const body: Record<string, unknown> = { query: options.query, key: DOCUMENT_KEY, limit: options.limit ?? 16 };
  if (options.default !== undefined) body.default = options.default;
  if (options.returnRank) body.return_rank = true;
  return { $knn: body };
};
export const val = (value: number): Rank => ({ $val: value });
export const sum = (...terms: Rank[]): Rank => ({ $sum: terms });
export const mul = (...terms: Rank[]): Rank => ({ $mul: terms });
export const max = (...terms: Rank[]): Rank => ({ $max: terms });
export const min = (...terms: Rank[]): Rank => ({ $min: terms });
export const sub = (left: Rank, right: Rank): Rank => ({ $sub: { left, right } });
export const div = (left: Rank, right: Rank): Rank => ({ $div: { left, right } });
export const abs = (operand: Rank): Rank => ({ $abs: operand });
export const exp = (operand: Rank): Rank => ({ $exp: operand });
export const log = (operand: Rank): Rank => ({ $log: operand });

/** Reciprocal rank fusion: -(sum of 1 / (k + rank)); give the ranks `returnRank` (and a default). */
export const rrf = (ranks: Rank[], k = 60): Rank => {
  if (ranks.length === 0) throw new Error("rrf needs at least one rank");
  return mul(val(-1), sum(...ranks.map((rank) => div(val(1), sum(val(k), rank)))));
};

/** One search: filter (where grammar plus `#id` / `#document`), rank, group-by, page and selected keys. */
export interface Search {
  where?: Record<string, unknown>;
  rank?: Rank;
  groupBy?: { keys: string[]; aggregate: { $min_k: { keys: string[]; k: number } } | { $max_k: { keys: string[]; k: number } } };
  limit?: number;
  offset?: number;
  /** `#document`, `#embedding`, `#metadata`, `#score` or metadata keys. */
  select?: string[];
}

/** Per search, its results best first; a column the search did not select is null in its row. */
export interface SearchResult {
  ids: string[][];
  documents: ((string | null)[] | null)[];
  embeddings: ((number[] | null)[] | null)[];
  metadatas: ((Record<string, unknown> | null)[] | null)[];
  scores: ((number | null)[] | null)[];
  select: string[][];
}

export type ReadLevel = "index_and_wal" | "index_only" | "index_and_bounded_wal";
