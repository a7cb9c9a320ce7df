/** Vermilion's TypeScript client: a thin layer over the client generated from the OpenAPI contract (./gen). */
export {
  CloudClient,
  DEFAULT_DATABASE,
  DEFAULT_TENANT,
  VermilionClient,
  type ClientOptions,
  type CloudClientOptions,
  type CreateCollectionParams,
  type Database,
} from "./client";
export {
  Collection,
  type AddParams,
  type CollectionMetadata,
  type DeleteParams,
  type GetParams,
  type GetResult,
  type IncludeField,
  type Metadata,
  type MetadataValue,
  type ModifyParams,
  type QueryParams,
  type QueryResult,
  type UpdateMetadata,
  type UpdateParams,
  type UpsertParams,
  type Where,
  type WhereDocument,
} from "./collection";
export {
  AuthError,
  InvalidArgumentError,
  NotFoundError,
  QuotaExceededError,
  RateLimitError,
  ServerError,
  UniqueConstraintError,
  VermilionError,
  errorFor,
} from "./errors";
export type { EmbeddingInput } from "./wire";
