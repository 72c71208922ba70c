import { Core4Error, type Core4ErrorKind } from "../../framework/errors/index.js";
import { HttpError } from "./http-error.js";

/**
 * The one place where an error becomes an HTTP status. A core4ts error's `kind` decides it, so a plugin's
 * own error class gets its status by choosing a kind, without the server knowing the class.
 */
const HTTP_STATUS_BY_KIND: Readonly<Record<Core4ErrorKind, number>> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 409,
  unavailable: 503,
  internal: 500,
};

/** Errors raised by Koa and its middleware (body parser, `ctx.throw`, http-errors) carry these fields. */
interface KoaStyleError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

function firstLine(message: string): string {
  return message.split("\n")[0] as string;
}

/** An {@link HttpError}, also one of another copy of core4ts/server (a plugin's own dependency). */
function asHttpError(error: Core4Error): HttpError | undefined {
  if (error instanceof HttpError) return error;
  const { status, headers } = error as Partial<HttpError>;
  if (error.code !== "HTTP_ERROR" || typeof status !== "number") return undefined;
  return new HttpError(status, firstLine(error.message), headers ?? {}, { cause: error });
}

/**
 * The HTTP status of any thrown value: an {@link HttpError}'s own, a core4ts error's by its kind, a Koa-style
 * error's `status`, else 500.
 */
export function httpStatusOf(error: unknown): number {
  if (Core4Error.is(error)) return asHttpError(error)?.status ?? HTTP_STATUS_BY_KIND[error.kind] ?? 500;
  const e = (error ?? {}) as KoaStyleError;
  const status = e.status ?? e.statusCode;
  return typeof status === "number" && status >= 400 && status <= 599 ? status : 500;
}

/**
 * The reply for an error whose message is fit for the client: an {@link HttpError}, a core4ts error of a
 * client kind (4xx, its first line), or a Koa-style error that is marked `expose`. Undefined for everything
 * else: an unexpected error, answered with {@link httpStatusOf}'s 5xx and no detail.
 */
export function toHttpError(error: unknown, bodyLimit: number): HttpError | undefined {
  const http = Core4Error.is(error) ? asHttpError(error) : undefined;
  if (http) return http;
  const status = httpStatusOf(error);
  if (status >= 500) return undefined;
  if (Core4Error.is(error)) return new HttpError(status, firstLine(error.message), {}, { cause: error });
  if (status === 413) return new HttpError(413, `request body larger than the limit of ${bodyLimit} bytes`);
  const e = (error ?? {}) as KoaStyleError;
  return e.expose && e.message ? new HttpError(status, firstLine(e.message)) : undefined;
}
