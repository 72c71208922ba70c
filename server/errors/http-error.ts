/**
 * An error that becomes an HTTP reply. Its message is shown to the client, so it must be one line a
 * person can act on and must never carry secrets.
 */
export class HttpError extends Error {
  override readonly name = "HttpError";

  /**
   * @param status HTTP status code (4xx or 5xx).
   * @param message One line for the client, e.g. `argument "start": expected an ISO date`.
   * @param headers Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
   */
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
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
