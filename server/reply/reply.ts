import { STATUS_CODES } from "node:http";
import type { Core4Context } from "../router/types.js";
import { escapeHtml, htmlPage } from "./html.js";
import { FORMAT_MEDIA_TYPES, negotiate } from "./negotiate.js";
import { tableToCsv, tableToHtml, tableToText } from "./render-table.js";
import { asTable } from "./table.js";
import type { Envelope, ReplyFormat } from "./types.js";

/** Options of {@link reply}. */
export interface ReplyOptions {
  /** HTTP status, default 200. */
  status?: number;
  /** Column order of a table (default: keys in first-seen order). */
  columns?: readonly string[];
  /** Title of the HTML table page. */
  title?: string;
  /** File name offered for CSV downloads (`Content-Disposition`). */
  filename?: string;
}

/** Builds the JSON envelope of a reply. */
export function envelope<T>(ctx: Core4Context, status: number, data: T, error?: string): Envelope<T> {
  const body: Envelope<T> = {
    _id: ctx.state.requestId,
    code: status,
    message: STATUS_CODES[status] ?? "Unknown",
    timestamp: new Date().toISOString(),
    data,
  };
  if (error !== undefined) body.error = error;
  return body;
}

const JSON_MEDIA_TYPE = `${FORMAT_MEDIA_TYPES.json}; charset=utf-8`;
const TABLE_FORMATS: readonly ReplyFormat[] = ["json", "csv", "html", "text"];
const OBJECT_FORMATS: readonly ReplyFormat[] = ["json"];

/**
 * Answers with data. Tables (arrays of plain objects) are negotiated as JSON, CSV, HTML or text; other data
 * is JSON. JSON replies are wrapped in the envelope `{_id, code, message, timestamp, data}`.
 *
 * @throws HttpError 406 when the requested format is not available.
 */
export function reply(ctx: Core4Context, data: unknown, options: ReplyOptions = {}): void {
  const status = options.status ?? 200;
  const table = asTable(data, options.columns);
  const format = negotiate(ctx, table ? TABLE_FORMATS : OBJECT_FORMATS);
  ctx.status = status;
  // The first Vary value is set as is; only a second one needs the vary library's merge.
  if (ctx.response.get("Vary")) ctx.vary("Accept");
  else ctx.set("Vary", "Accept");
  if (format === "json" || !table) {
    // The full media type given: Koa then skips its lookup of the short name "json" on every reply.
    ctx.set("Content-Type", JSON_MEDIA_TYPE);
    ctx.body = envelope(ctx, status, data);
    return;
  }
  ctx.type = `${FORMAT_MEDIA_TYPES[format]}; charset=utf-8`;
  if (format === "csv") {
    ctx.body = tableToCsv(table);
    if (options.filename) ctx.attachment(options.filename, { type: "inline" });
  } else if (format === "html") {
    const title = options.title ?? ctx.path;
    ctx.body = htmlPage(title, `<h1>${escapeHtml(title)}</h1>\n${tableToHtml(table)}`);
  } else {
    ctx.body = tableToText(table);
  }
}

/** Answers with a complete HTML page (trusted markup: escape outside values with `escapeHtml`). */
export function replyHtml(ctx: Core4Context, html: string, status = 200): void {
  ctx.status = status;
  ctx.type = "text/html; charset=utf-8";
  ctx.body = html;
}
