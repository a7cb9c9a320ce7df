/**
 * Chroma's sparse vector, a metadata value and the query of a sparse `knn`, as Chroma's JS client has it: dimension
 * indices (strictly ascending, unsigned 32-bit) and their values, and optionally one token per index. On the wire it
 * carries Chroma's tag, `{"#type": "sparse_vector", indices, values}`; reads give it back without the tag.
 */
export interface SparseVector {
  indices: number[];
  values: number[];
  tokens?: string[] | null;
}

const SPARSE_VECTOR_TYPE = "sparse_vector";

/** Whether a metadata value is a sparse vector (tagged or not). */
export function isSparseVector(value: unknown): value is SparseVector {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.indices) && Array.isArray(v.values);
}

/** The wire form of a sparse vector: Chroma's tagged object. */
export function sparseVectorToWire(vector: SparseVector): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    "#type": SPARSE_VECTOR_TYPE,
    indices: [...vector.indices],
    values: [...vector.values],
  };
  if (vector.tokens !== undefined && vector.tokens !== null) wire.tokens = [...vector.tokens];
  return wire;
}

/** A metadata map with its sparse vectors in wire form (other values, `null` included, as they are). */
export function metadataToWire<M extends Record<string, unknown>>(metadata: M | null): M | null {
  if (metadata === null) return null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    out[key] = isSparseVector(value) ? sparseVectorToWire(value) : value;
  }
  return out as M;
}

/** A metadata map read from the server with its tagged sparse vectors as `SparseVector`s (tokens only when set). */
export function metadataFromWire<M extends Record<string, unknown>>(metadata: M | null | undefined): M | null {
  if (metadata === null || metadata === undefined) return null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    const v = value as Record<string, unknown> | null;
    if (v !== null && typeof v === "object" && !Array.isArray(v) && v["#type"] === SPARSE_VECTOR_TYPE) {
      const sparse: SparseVector = { indices: v.indices as number[], values: v.values as number[] };
      if (v.tokens !== undefined && v.tokens !== null) sparse.tokens = v.tokens as string[];
      out[key] = sparse;
    } else {
      out[key] = value;
    }
  }
  return out as M;
}
