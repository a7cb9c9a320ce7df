/** Clients of one server, scoped to a tenant and a database: `VermilionClient`, and `CloudClient` with an API key. */
import { CollectionConfigurationFromJSON, Configuration } from "./gen";
import { Collection, type CollectionMetadata, type EmbeddingFunction, SERVER_EMBEDDING_FUNCTION } from "./collection";
import { Api, call } from "./wire";

export const DEFAULT_TENANT = "default_tenant";
export const DEFAULT_DATABASE = "default_database";

export interface ClientOptions {
  /** Default "localhost". */
  host?: string;
  /** Default 8000. */
  port?: number;
  /** HTTPS instead of HTTP. Default false. */
  ssl?: boolean;
  /** Default "default_tenant". */
  tenant?: string;
  /** Default "default_database". */
  database?: string;
  /** An API key (needed when the server has auth on): sent in `x-chroma-token` on every route that takes one. */
  apiKey?: string;
  /** Sent on every request. */
  headers?: Record<string, string>;
  /** Replaces the global `fetch`. */
  fetch?: typeof fetch;
}

export interface CloudClientOptions extends ClientOptions {
  apiKey: string;
}

export interface Database {
  id: string;
  name: string;
  tenant: string;
}

export interface CreateCollectionParams {
  name: string;
  metadata?: CollectionMetadata;
  /** As Chroma's: `{ hnsw: { space: "cosine" } }`. */
  configuration?: Record<string, unknown>;
  /** Embeds the collection's documents and query texts on this client. */
  embeddingFunction?: EmbeddingFunction;
  /** A collection the server embeds: its configuration names Chroma's `default` function (all-MiniLM-L6-v2). */
  serverEmbedded?: boolean;
}

/**
 * A client of a Vermilion (or Chroma-compatible) server, working in one tenant and database. Holds no connection
 * state of its own (requests go through `fetch`), so one client can serve any number of concurrent callers.
 */
export class VermilionClient {
  readonly tenant: string;
  readonly database: string;
  private readonly api: Api;

  constructor(options: ClientOptions = {}) {
    const scheme = options.ssl ? "https" : "http";
    this.tenant = options.tenant ?? DEFAULT_TENANT;
    this.database = options.database ?? DEFAULT_DATABASE;
    this.api = new Api(
      new Configuration({
        basePath: `${scheme}://${options.host ?? "localhost"}:${options.port ?? 8000}`,
        // The contract's ApiKey security scheme: the generated operations put it in x-chroma-token.
        apiKey: options.apiKey || undefined,
        headers: options.headers,
        fetchApi: options.fetch,
      }),
    );
  }

  private get scope() {
    return { tenant: this.tenant, database: this.database };
  }

  /** The server's clock in nanoseconds since the epoch. */
  async heartbeat(): Promise<number> {
    return (await call(() => this.api.system.heartbeat())).nanosecondHeartbeat;
  }

  async version(): Promise<string> {
    return call(() => this.api.system.version());
  }

  async createTenant(params: { name: string }): Promise<void> {
    await call(() => this.api.tenants.createTenant({ createTenantRequest: { name: params.name } }));
  }

  /** The tenant's name; `NotFoundError` when it does not exist. */
  async getTenant(params: { name: string }): Promise<string> {
    return (await call(() => this.api.tenants.getTenant({ tenantName: params.name }))).name;
  }

  async createDatabase(params: { name: string; tenant?: string }): Promise<void> {
    await call(() =>
      this.api.databases.createDatabase({
        tenant: params.tenant ?? this.tenant,
        createDatabaseRequest: { name: params.name },
      }),
    );
  }

  async getDatabase(params: { name: string; tenant?: string }): Promise<Database> {
    const found = await call(() =>
      this.api.databases.getDatabase({ tenant: params.tenant ?? this.tenant, database: params.name }),
    );
    return { id: found.id, name: found.name, tenant: found.tenant };
  }

  async listDatabases(params: { limit?: number; offset?: number; tenant?: string } = {}): Promise<Database[]> {
    const found = await call(() =>
      this.api.databases.listDatabases({ tenant: params.tenant ?? this.tenant, limit: params.limit, offset: params.offset }),
    );
    return found.map((d) => ({ id: d.id, name: d.name, tenant: d.tenant }));
  }

  async deleteDatabase(params: { name: string; tenant?: string }): Promise<void> {
    await call(() => this.api.databases.deleteDatabase({ tenant: params.tenant ?? this.tenant, database: params.name }));
  }

  /** Creates a collection; an existing name is a `UniqueConstraintError`. */
  async createCollection(params: CreateCollectionParams): Promise<Collection> {
    return this.create(params, false);
  }

  /** The collection of that name, created (with this metadata and configuration) if it does not exist. */
  async getOrCreateCollection(params: CreateCollectionParams): Promise<Collection> {
    return this.create(params, true);
  }

  private async create(params: CreateCollectionParams, getOrCreate: boolean): Promise<Collection> {
    const configuration = params.serverEmbedded
      ? { ...(params.configuration ?? {}), embedding_function: SERVER_EMBEDDING_FUNCTION }
      : params.configuration;
    const created = await call(() =>
      this.api.collections.createCollection({
        ...this.scope,
        createCollectionRequest: {
          name: params.name,
          metadata: params.metadata,
          _configuration:
            configuration === undefined ? undefined : CollectionConfigurationFromJSON(configuration),
          getOrCreate,
        },
      }),
    );
    return new Collection(this.api, created, params.embeddingFunction);
  }

  /** The collection of that name (its texts embedded by `embeddingFunction` on this client, if given);
   * `NotFoundError` when there is none. */
  async getCollection(params: { name: string; embeddingFunction?: EmbeddingFunction }): Promise<Collection> {
    const found = await call(() => this.api.collections.getCollection({ ...this.scope, collectionId: params.name }));
    return new Collection(this.api, found, params.embeddingFunction);
  }

  /** The database's collections, ordered by id. */
  async listCollections(params: { limit?: number; offset?: number } = {}): Promise<Collection[]> {
    const found = await call(() =>
      this.api.collections.listCollections({ ...this.scope, limit: params.limit, offset: params.offset }),
    );
    return found.map((c) => new Collection(this.api, c));
  }

  async countCollections(): Promise<number> {
    return call(() => this.api.collections.countCollections(this.scope));
  }

  /** Deletes the collection of that name and all its records; `NotFoundError` when there is none. */
  async deleteCollection(params: { name: string }): Promise<void> {
    await call(() => this.api.collections.deleteCollection({ ...this.scope, collectionId: params.name }));
  }
}

/**
 * A client that authenticates with an API key, sent in the `x-chroma-token` header as Chroma Cloud clients send it.
 * HTTPS by default (port 443; 8000 when `ssl: false` and no port is given).
 */
export class CloudClient extends VermilionClient {
  constructor(options: CloudClientOptions) {
    if (!options.apiKey) {
      throw new TypeError("CloudClient needs an apiKey");
    }
    const ssl = options.ssl ?? true;
    super({ ...options, ssl, port: options.port ?? (ssl ? 443 : 8000) });
  }
}
