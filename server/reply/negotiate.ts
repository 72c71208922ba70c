import { HttpError } from "../errors/http-error.js";
import { rawArgument } from "../request/get-argument.js";
import type { Core4Context } from "../router/types.js";
import type { ReplyFormat } from "./types.js";

/** Media type of each reply format. */
export const FORMAT_MEDIA_TYPES: Readonly<Record<ReplyFormat, string>> = {
  json: "application/json",
  csv: "text/csv",
  html: "text/html",
  text: "text/plain",
};

const ALIASES: Readonly<Record<string, ReplyFormat>> = {
  json: "json",
  "application/json": "json",
  csv: "csv",
  "text/csv": "csv",
  html: "html",
  "text/html": "html",
  text: "text",
  txt: "text",
  plain: "text",
  "text/plain": "text",
};

/**
 * Picks the reply format: the `content_type` argument (query or body) wins over the `Accept` header;
 * without either, the first allowed format (JSON). An unsupported request gives 406 listing what is
 * available.
 */
export function negotiate(ctx: Core4Context, allowed: readonly ReplyFormat[]): ReplyFormat {
  const requested = rawArgument(ctx, "content_type");
  if (requested !== undefined) {
    const format = typeof requested === "string" ? ALIASES[requested.trim().toLowerCase()] : undefined;
    if (format && allowed.includes(format)) return format;
    throw new HttpError(
      406,
      `content_type "${String(requested)}" is not available here: use ${allowed.join(", ")}`,
    );
  }
  // No preference (no Accept header, or the `*/*` of fetch and curl): the first allowed format, unparsed.
  const accept = ctx.get("Accept");
  if ((accept === "" || accept === "*/*") && allowed[0] !== undefined) return allowed[0];
  const accepted = ctx.accepts(allowed.map((f) => FORMAT_MEDIA_TYPES[f]));
  const format = typeof accepted === "string" ? ALIASES[accepted] : undefined;
  if (!format) {
    throw new HttpError(
      406,
      `none of the types in the Accept header is available here: use ${allowed.map((f) => FORMAT_MEDIA_TYPES[f]).join(", ")}`,
    );
  }
  return format;
}

/**
 * Whether the client is a browser that should get HTML pages (errors, the login redirect) rather than
 * JSON: it asks for HTML via `content_type` or prefers `text/html` over JSON in `Accept`.
 */
export function wantsHtml(ctx: Core4Context): boolean {
  const requested = rawArgument(ctx, "content_type");
  if (typeof requested === "string") return ALIASES[requested.trim().toLowerCase()] === "html";
  if (!ctx.get("Accept")) return false;
  return ctx.accepts("application/json", "text/html") === "text/html";
}
