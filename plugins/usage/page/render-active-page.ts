import { escapeHtml } from "core4ts/server";
import type { ActiveReport } from "../active-users.js";
import { type EmbedSnippet, embedBox, PAGE_STYLE } from "./page-parts.js";

/** Options of {@link renderActivePage}. */
export interface ActivePageOptions {
  /** Path of the page (`/usage/active`). */
  basePath: string;
  report?: ActiveReport;
  /** The chart (from `renderActiveChart`, already escaped). */
  svg?: string;
  form: { start?: string; end?: string };
  error?: string;
  timezone: string;
  embed?: EmbedSnippet;
}

function query(basePath: string, suffix: string, params: Record<string, string>): string {
  return `${basePath}${suffix}?${new URLSearchParams(params).toString()}`;
}

/**
 * The rolling active users page: form (start, end), the DAU/WAU/MAU chart, the table per day with
 * stickiness, downloads and the "Embed" box. Plain HTML, every value escaped.
 */
export function renderActivePage(options: ActivePageOptions): string {
  const { report, form } = options;
  const title = "Rolling active users";
  const parts = [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title}</title><style>${PAGE_STYLE}</style></head><body>`,
    `<h1>${title}</h1>`,
  ];
  const meta = [`Report time zone: <strong>${escapeHtml(options.timezone)}</strong>`];
  if (report) {
    meta.push(
      report.dataThrough
        ? `data through <strong>${escapeHtml(report.dataThrough)}</strong>`
        : "no logins extracted yet (the aggregation job has not run)",
    );
  }
  parts.push(`<p class="meta">${meta.join(" · ")}</p>`);
  if (options.error) parts.push(`<p class="error" role="alert">${escapeHtml(options.error)}</p>`);
  parts.push(
    `<form method="get" action="${escapeHtml(options.basePath)}">`,
    `<label>Start <input type="date" name="start" value="${escapeHtml(report?.start ?? form.start ?? "")}"></label>`,
    `<label>End <input type="date" name="end" value="${escapeHtml(report?.end ?? form.end ?? "")}"></label>`,
    '<button type="submit">Show</button></form>',
  );
  if (report) {
    const params = { start: report.start, end: report.end };
    if (options.svg) parts.push(`<figure>${options.svg}</figure>`);
    parts.push(
      '<p class="downloads">Download: ',
      `<a href="${escapeHtml(query(options.basePath, "/raw", { ...params, content_type: "csv" }))}" download>CSV</a>`,
      `<a href="${escapeHtml(query(options.basePath, "/raw", { ...params, content_type: "json" }))}">JSON</a>`,
      `<a href="${escapeHtml(query(options.basePath, "/plot", params))}">SVG</a>`,
      `<a href="${escapeHtml(query(options.basePath, "/plot", { ...params, format: "png" }))}">PNG</a></p>`,
      "<table><caption>DAU: distinct users that day; WAU: over the 7 days ending that day; MAU: over the 30 days ending that day; " +
        "stickiness: DAU / MAU.</caption>",
      '<thead><tr><th scope="col">Day</th><th scope="col" class="num">DAU</th><th scope="col" class="num">WAU</th>' +
        '<th scope="col" class="num">MAU</th><th scope="col" class="num">Stickiness</th></tr></thead><tbody>',
      ...report.rows.map(
        (r) =>
          `<tr><th scope="row">${escapeHtml(r.day)}</th><td class="num">${r.dau}</td><td class="num">${r.wau}</td>` +
          `<td class="num">${r.mau}</td><td class="num">${r.stickiness}</td></tr>`,
      ),
      "</tbody></table>",
      '<p class="meta">The windows reach back before the start of the range. The user admin and configured excluded users are not counted.</p>',
    );
    if (options.embed) parts.push(embedBox(options.embed));
  }
  parts.push("</body></html>");
  return parts.join("\n");
}
