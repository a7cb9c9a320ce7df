/**
 * Errors thrown by the client, named after Chroma's error names. Every failure the server reports becomes one
 * `VermilionError` subclass, chosen here from the body's `error` name and the HTTP status (the server sends
 * `ChromaError` for most statuses, so the status decides).
 */

/** Base of every error thrown for a refused or failed request. */
export class VermilionError extends Error {
  /** Chroma's name for the error: the class name, or for an error of no known kind the name the server sent. */
  readonly errorName: string;
  /** The HTTP status; undefined when the client refused the call before sending it. */
  readonly status: number | undefined;

  constructor(message: string, status?: number, errorName?: string) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.errorName = errorName ?? (new.target === VermilionError ? "ChromaError" : new.target.name);
  }
}

/** The request was refused as invalid (400, or 422 for a body of the wrong shape). */
export class InvalidArgumentError extends VermilionError {}

/** The tenant, database or collection does not exist (404). */
export class NotFoundError extends VermilionError {}

/** The name is already taken (409). */
export class UniqueConstraintError extends VermilionError {}

/** A size or count limit was exceeded (422 "Quota exceeded: ..."); the message names the limit. */
export class QuotaExceededError extends VermilionError {}

/** The credentials were missing, wrong or not allowed this request (401, 403). */
export class AuthError extends VermilionError {}

/** Too many requests (429). */
export class RateLimitError extends VermilionError {}

/** The server failed (5xx). */
export class ServerError extends VermilionError {}

type ErrorClass = new (message: string, status?: number) => VermilionError;

const BY_NAME: Record<string, ErrorClass> = {
  InvalidArgumentError,
  NotFoundError,
  UniqueConstraintError,
  QuotaExceededError,
  AuthError,
  RateLimitError,
  InternalError: ServerError,
};

const BY_STATUS: Record<number, ErrorClass> = {
  400: InvalidArgumentError,
  401: AuthError,
  403: AuthError,
  404: NotFoundError,
  409: UniqueConstraintError,
  429: RateLimitError,
};

/** The error for an error response: its status and its `{"error", "message"}` body (if any). */
export function errorFor(status: number, body: string | undefined): VermilionError {
  let name: string | undefined;
  let message: string | undefined;
  try {
    const parsed: unknown = body ? JSON.parse(body) : undefined;
    if (parsed !== null && typeof parsed === "object") {
      const { error, message: m } = parsed as { error?: unknown; message?: unknown };
      name = typeof error === "string" ? error : undefined;
      message = typeof m === "string" ? m : undefined;
    }
  } catch {
    // not JSON: the body itself is the message
  }
  message ??= body || `HTTP ${status}`;
  let cls: ErrorClass | undefined =
    (name !== undefined && Object.hasOwn(BY_NAME, name) ? BY_NAME[name] : undefined) ?? BY_STATUS[status];
  if (cls === undefined) {
    if (status === 422) {
      cls = message.toLowerCase().includes("quota") ? QuotaExceededError : InvalidArgumentError;
    } else if (status >= 500) {
      cls = ServerError;
    } else {
      return new VermilionError(message, status, name ?? "ChromaError");
    }
  }
  return new cls(message, status);
}
