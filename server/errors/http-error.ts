import { Core4Error, type Core4ErrorCode, type Core4ErrorKind } from "../../framework/errors/index.js";

/** The kind of an HTTP status, for code that looks at kinds rather than statuses (the CLI). */
function kindOfStatus(status: number): Core4ErrorKind {
  if (status === 401) return "unauthenticated";
  if (status === 403) return "permission_denied";
  if (status === 404) return "not_found";
  if (status === 409) return "failed_precondition";
  if (status === 503) return "unavailable";
  return status < 500 ? "invalid_argument" : "internal";
}

/**
 * An error that becomes an HTTP reply with exactly this status. Its message is shown to the client, so it
 * must be one line a person can act on and must never carry secrets. Other core4ts errors need not be
 * translated into one: their `kind` decides the status (server/errors/http-status.ts).
 */
export class HttpError extends Core4Error {
  override readonly name = "HttpError";
  readonly code = "HTTP_ERROR" satisfies Core4ErrorCode;
  override readonly kind: Core4ErrorKind;

  /**
   * @param status HTTP status code (4xx or 5xx).
   * @param message One line for the client, e.g. `argument "start": expected an ISO date`.
   * @param headers Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
   * @param options `cause`: the error underneath.
   */
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.kind = kindOfStatus(status);
  }

  /** 400: a bad argument or body. */
  static badRequest(message: string): HttpError {
    return new HttpError(400, message);
  }

  /** 401: no or invalid credentials. */
  static unauthorized(message = "login required"): HttpError {
    return new HttpError(401, message);
  }

  /** 403: authenticated, but the role lacks the permission. */
  static forbidden(message = "permission denied"): HttpError {
    return new HttpError(403, message);
  }

  /** 404: nothing here. */
  static notFound(message = "not found"): HttpError {
    return new HttpError(404, message);
  }

  /** 409: conflicts with the current state (e.g. the name exists). */
  static conflict(message: string): HttpError {
    return new HttpError(409, message);
  }
}
