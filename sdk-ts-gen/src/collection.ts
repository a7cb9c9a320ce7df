/** A collection and its records: add, upsert, update, delete, get, query, count, modify. */
import {
  type Collection as CollectionModel,
  CollectionConfigurationToJSON,
  type Include,
  UpdateCollectionConfigurationFromJSON,
  type UpdateCollectionMetadata as UpdateCollectionMetadataModel,
  type Metadata as MetadataModel,
  type UpdateMetadata as UpdateMetadataModel,
} from "./gen";
import { InvalidArgumentError } from "./errors";
import { DOCUMENT_KEY, type Rank, type ReadLevel, type Search, type SearchResult } from "./search";
import { type SparseVector, metadataFromWire, metadataToWire } from "./sparse";
import { type Api, type EmbeddingInput, call, floatArrays, oneOrMany } from "./wire";

export type MetadataValue = string | number | boolean;
/** A record's metadata: scalars, arrays of one scalar type, or sparse vectors. */
export type Metadata = Record<string, MetadataValue | string[] | number[] | boolean[] | SparseVector>;
/** Metadata in an upsert or update: merged key by key, a `null` value deletes its key. */
export type UpdateMetadata = Record<string, MetadataValue | string[] | number[] | boolean[] | SparseVector | null>;
export type CollectionMetadata = Record<string, MetadataValue>;
/** A metadata filter, e.g. `{ n: { $gte: 2 } }` or `{ $and: [...] }`. */
export type Where = Record<string, unknown>;
/** A document filter, e.g. `{ $contains: "pie" }`. */
export type WhereDocument = Record<string, unknown>;
export type IncludeField = `${Include}`;

/**
 * Embeds texts on the client, as Chroma's JS `EmbeddingFunction`: `generate` returns one embedding per text, in order.
 * Given when getting or creating a collection, it embeds documents written without embeddings and query texts.
 */
export interface EmbeddingFunction {
  generate(texts: string[]): Promise<number[][]>;
}

/** What Chroma's clients name a collection made with their default function (all-MiniLM-L6-v2): the server embeds it. */
export const SERVER_EMBEDDING_FUNCTION = { type: "known", name: "default", config: {} } as const;

export interface RecordsParams {
  ids: string | string[];
  /** Without embeddings, the documents are embedded by the collection's `embeddingFunction`, or else by the server
   * for a collection it embeds. */
  embeddings?: EmbeddingInput | EmbeddingInput[];
  documents?: string | (string | null)[];
  uris?: string | (string | null)[];
}

export interface AddParams extends RecordsParams {
  metadatas?: Metadata | (Metadata | null)[];
}

export interface UpsertParams extends RecordsParams {
  metadatas?: UpdateMetadata | (UpdateMetadata | null)[];
}

export interface UpdateParams extends Omit<UpsertParams, "embeddings"> {
  embeddings?: EmbeddingInput | EmbeddingInput[];
}

export interface DeleteParams {
  ids?: string | string[];
  where?: Where;
  whereDocument?: WhereDocument;
}

export interface GetParams extends DeleteParams {
  limit?: number;
  offset?: number;
  /** Defaults to documents and metadatas; also embeddings, uris. */
  include?: IncludeField[];
}

export interface QueryParams {
  /** Give these or `queryTexts`, not both. */
  queryEmbeddings?: EmbeddingInput | EmbeddingInput[];
  /** Embedded by the collection's `embeddingFunction`, or else sent for the server to embed (a collection it embeds;
   * any other answers `InvalidArgumentError`). */
  queryTexts?: string | string[];
  nResults?: number;
  ids?: string | string[];
  where?: Where;
  whereDocument?: WhereDocument;
  /** Defaults to documents, metadatas and distances; also embeddings, uris. */
  include?: IncludeField[];
}

export interface ModifyParams {
  name?: string;
  /** Replaces the whole metadata; a `null` value drops its key. */
  metadata?: Record<string, MetadataValue | null>;
  /** The mutable part of the configuration, as Chroma's: `{ hnsw: { ef_search: 200 } }`. */
  configuration?: Record<string, unknown>;
}

/** Records found by `get`, one index per record; a column not included is null. */
export interface GetResult {
  ids: string[];
  embeddings: number[][] | null;
  documents: (string | null)[] | null;
  uris: (string | null)[] | null;
  metadatas: (Metadata | null)[] | null;
  include: IncludeField[];
}

/** Per query embedding, its hits nearest first: `ids[q][i]` is the i-th hit of query `q`. */
export interface QueryResult {
  ids: string[][];
  embeddings: number[][][] | null;
  documents: (string | null)[][] | null;
  uris: (string | null)[][] | null;
  metadatas: (Metadata | null)[][] | null;
  distances: number[][] | null;
  include: IncludeField[];
}

function isEmbedding(value: unknown): value is EmbeddingInput {
  return value instanceof Float32Array || (Array.isArray(value) && typeof value[0] === "number");
}

function embeddingList(value: EmbeddingInput | EmbeddingInput[]): EmbeddingInput[] {
  return isEmbedding(value) ? [value] : value;
}

/**
 * One metadata map or many, as a list with sparse vectors in wire form. Typed as the generated model, which
 * typescript-fetch 7.25 gets wrong: it merges `RecordMetadataValue`'s anyOf into the `SparseVector` interface (the one
 * object in it); at run time the generated Metadata(To|From)JSON hand every value through unchanged.
 */
function oneMetadataOrMany<M extends Record<string, unknown>>(value: M | (M | null)[] | undefined) {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map((m) => metadataToWire(m)) as unknown as (MetadataModel | null)[];
}

function metadatasFromWire(rows: unknown): (Metadata | null)[] | null {
  return Array.isArray(rows) ? rows.map((m) => metadataFromWire(m as Metadata | null)) : null;
}

/** The contract lets an update's metadata value be null (drop the key); the generated type does not say so. */
function updateMetadatas(value: UpdateMetadata | (UpdateMetadata | null)[] | undefined) {
  return oneMetadataOrMany(value) as unknown as (UpdateMetadataModel | null)[] | undefined;
}

/**
 * A handle on one collection of a client's tenant and database. Its fields are as of the last read or `modify`
 * through this handle; every record method goes to the server.
 */
export class Collection {
  id!: string;
  name!: string;
  tenant!: string;
  database!: string;
  metadata!: CollectionMetadata | null;
  /** As Chroma reports it: `{ hnsw: { space: "cosine", ef_search: 100, ... }, spann: null, ... }`. */
  configuration!: Record<string, unknown>;
  /** Fixed by the first write with embeddings; null before it. */
  dimension!: number | null;

  /** Made by `VermilionClient`; not meant to be called directly. */
  constructor(
    private readonly api: Api,
    model: CollectionModel,
    /** Embeds documents and query texts on the client; undefined: they are sent as they are. */
    readonly embeddingFunction?: EmbeddingFunction,
  ) {
    this.set(model);
  }

  /** Whether the server embeds this collection's documents and query texts (its configuration names Chroma's
   * `default` embedding function). */
  get serverEmbedded(): boolean {
    const ef = this.configuration["embedding_function"] as { type?: string; name?: string } | null | undefined;
    return ef?.type === "known" && ef?.name === "default";
  }

  private async embed(texts: (string | null)[]): Promise<number[][]> {
    if (texts.some((t) => t === null)) {
      throw new InvalidArgumentError("Every record needs a document to embed when no embeddings are given");
    }
    const vectors = await this.embeddingFunction!.generate(texts as string[]);
    if (!Array.isArray(vectors) || vectors.length !== texts.length) {
      throw new InvalidArgumentError(
        `The embedding function returned ${Array.isArray(vectors) ? vectors.length : 0} embeddings for ${texts.length} texts`,
      );
    }
    return vectors;
  }

  /** The embeddings to send: as given, else the function's embeddings of the documents when there is one. */
  private async embeddings(params: { embeddings?: EmbeddingInput | EmbeddingInput[]; documents?: string | (string | null)[] }) {
    if (params.embeddings !== undefined) return floatArrays(embeddingList(params.embeddings));
    if (params.documents === undefined || this.embeddingFunction === undefined) return undefined;
    return floatArrays(await this.embed(oneOrMany(params.documents)!));
  }

  private set(model: CollectionModel): void {
    this.id = model.id;
    this.name = model.name;
    this.tenant = model.tenant;
    this.database = model.database;
    this.metadata = (model.metadata as CollectionMetadata | null | undefined) ?? null;
    this.configuration = CollectionConfigurationToJSON(model.configurationJson) as Record<string, unknown>;
    this.dimension = model.dimension ?? null;
  }

  private get path() {
    return { tenant: this.tenant, database: this.database, collectionId: this.id };
  }

  /**
   * The number of records, every acknowledged write included; `readLevel` `index_only` counts the compacted version
   * alone, `index_and_bounded_wal` it plus the oldest operations of the log after it (a server setting, 250 by default).
   */
  async count(options?: { readLevel?: ReadLevel }): Promise<number> {
    return call(() => this.api.records.collectionCount({ ...this.path, readLevel: options?.readLevel as never }));
  }

  /** Adds records; an id that already exists is left unchanged. */
  async add(params: AddParams): Promise<void> {
    const embeddings = await this.embeddings(params);
    await call(() =>
      this.api.records.collectionAdd({
        ...this.path,
        addCollectionRecordsPayload: {
          ids: oneOrMany(params.ids)!,
          embeddings,
          documents: oneOrMany(params.documents),
          uris: oneOrMany(params.uris),
          metadatas: oneMetadataOrMany(params.metadatas),
        },
      }),
    );
  }

  /** Adds new records and updates existing ones; metadata is merged key by key (`null` drops a key). */
  async upsert(params: UpsertParams): Promise<void> {
    const embeddings = await this.embeddings(params);
    await call(() =>
      this.api.records.collectionUpsert({
        ...this.path,
        upsertCollectionRecordsPayload: {
          ids: oneOrMany(params.ids)!,
          embeddings,
          documents: oneOrMany(params.documents),
          uris: oneOrMany(params.uris),
          metadatas: updateMetadatas(params.metadatas),
        },
      }),
    );
  }

  /** Changes existing records: only the columns given; metadata is merged key by key. */
  async update(params: UpdateParams): Promise<void> {
    const embeddings = await this.embeddings(params);
    await call(() =>
      this.api.records.collectionUpdate({
        ...this.path,
        updateCollectionRecordsPayload: {
          ids: oneOrMany(params.ids)!,
          embeddings,
          documents: oneOrMany(params.documents),
          uris: oneOrMany(params.uris),
          metadatas: updateMetadatas(params.metadatas),
        },
      }),
    );
  }

  /** Deletes the records matching all the given conditions; resolves to how many were deleted. */
  async delete(params: DeleteParams = {}): Promise<number> {
    const answer = await call(() =>
      this.api.records.collectionDelete({
        ...this.path,
        deleteCollectionRecordsPayload: {
          ids: oneOrMany(params.ids),
          where: params.where,
          whereDocument: params.whereDocument,
        },
      }),
    );
    return answer.deleted;
  }

  /** Records matching all the given conditions, in id order. */
  async get(params: GetParams = {}): Promise<GetResult> {
    const answer = await call(() =>
      this.api.records.collectionGet({
        ...this.path,
        getRequestPayload: {
          ids: oneOrMany(params.ids),
          where: params.where,
          whereDocument: params.whereDocument,
          limit: params.limit,
          offset: params.offset,
          include: params.include as Include[] | undefined,
        },
      }),
    );
    return {
      ids: answer.ids,
      embeddings: answer.embeddings ?? null,
      documents: answer.documents ?? null,
      uris: answer.uris ?? null,
      metadatas: metadatasFromWire(answer.metadatas),
      include: answer.include,
    };
  }

  /** The `nResults` (default 10) nearest records to each query embedding, by the collection's distance function. */
  async query(params: QueryParams): Promise<QueryResult> {
    if ((params.queryEmbeddings === undefined) === (params.queryTexts === undefined)) {
      throw new InvalidArgumentError("Give queryEmbeddings or queryTexts, not both");
    }
    let queryEmbeddings =
      params.queryEmbeddings === undefined ? undefined : floatArrays(embeddingList(params.queryEmbeddings));
    let queryTexts = oneOrMany(params.queryTexts);
    if (queryTexts !== undefined && this.embeddingFunction !== undefined) {
      queryEmbeddings = floatArrays(await this.embed(queryTexts));
      queryTexts = undefined;
    }
    const answer = await call(() =>
      this.api.records.collectionQuery({
        ...this.path,
        queryRequestPayload: {
          queryEmbeddings,
          queryTexts,
          nResults: params.nResults,
          ids: oneOrMany(params.ids),
          where: params.where,
          whereDocument: params.whereDocument,
          include: params.include as Include[] | undefined,
        },
      }),
    );
    return {
      ids: answer.ids,
      embeddings: answer.embeddings ?? null,
      documents: answer.documents ?? null,
      uris: answer.uris ?? null,
      metadatas: Array.isArray(answer.metadatas) ? answer.metadatas.map((row) => metadatasFromWire(row) ?? []) : null,
      distances: answer.distances ?? null,
      include: answer.include,
    };
  }

  /** Runs the searches over one view of the collection; `index_only` leaves out what is not compacted yet. */
  async search(searches: Search[], options?: { readLevel?: ReadLevel }): Promise<SearchResult> {
    const ranks = await Promise.all(searches.map((s) => (s.rank ? this.embedTextKnns(s.rank) : s.rank)));
    const answer = await call(() =>
      this.api.records.collectionSearch({
        ...this.path,
        searchRequestPayload: {
          searches: searches.map((s, i) => ({
            filter: s.where ?? null,
            rank: (ranks[i] as Rank | undefined) ?? null,
            groupBy: s.groupBy ?? null,
            limit: { offset: s.offset ?? 0, limit: s.limit ?? null },
            select: { keys: s.select ?? [] },
          })),
          readLevel: options?.readLevel as never,
        },
      }),
    );
    const result = answer as unknown as SearchResult;
    return { ...result, metadatas: result.metadatas.map((row) => (row === null ? null : metadatasFromWire(row))) };
  }

  /** A copy of a rank whose text `$knn` queries the embedding function embedded (as it is without one). */
  private async embedTextKnns(node: unknown): Promise<unknown> {
    if (this.embeddingFunction === undefined) return node;
    if (Array.isArray(node)) return Promise.all(node.map((x) => this.embedTextKnns(x)));
    if (node === null || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const knn = value as Record<string, unknown> | null;
      if (key === "$knn" && knn !== null && typeof knn === "object" && typeof knn.query === "string"
          && knn.key !== DOCUMENT_KEY) { // BM25 over #document: the server reads the text
        out[key] = { ...knn, query: (await this.embed([knn.query]))[0] };
      } else {
        out[key] = await this.embedTextKnns(value);
      }
    }
    return out;
  }

  /** How far compaction has caught up with the collection's log, in log operations. */
  async indexingStatus(): Promise<{ opIndexingProgress: number; numUnindexedOps: number; numIndexedOps: number; totalOps: number }> {
    return call(() => this.api.records.indexingStatus(this.path));
  }

  /** Renames the collection, replaces its whole metadata and/or changes the mutable part of its configuration. */
  async modify(params: ModifyParams): Promise<void> {
    await call(() =>
      this.api.collections.updateCollection({
        ...this.path,
        updateCollectionRequest: {
          newName: params.name,
          newMetadata: params.metadata as UpdateCollectionMetadataModel | undefined,
          newConfiguration:
            params.configuration === undefined ? undefined : UpdateCollectionConfigurationFromJSON(params.configuration),
        },
      }),
    );
    this.set(await call(() => this.api.collections.getCollectionById(this.path)));
  }
}
