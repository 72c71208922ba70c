import { escapeHtml } from "core4ts/server";
import type { CalendarDay } from "../calendar-day.js";
import type { Aggregate } from "../periods.js";
import type { UsageReport } from "../types.js";
import { type EmbedSnippet, embedBox, PAGE_STYLE } from "./page-parts.js";

/** Options of {@link renderPage}. */
export interface PageOptions {
  /** Path of the page itself (`/usage/login`); the raw and plot links are built below it. */
  basePath: string;
  /** The report to show; absent when the arguments were rejected. */
  report?: UsageReport;
  /** The chart, a standalone SVG document inlined as is (it is produced by `renderChart`, already escaped). */
  svg?: string;
  /** Values to prefill the form with (the caller's, also when they were rejected). */
  form: { start?: string; end?: string; aggregate?: string; compare?: string };
  /** A message about rejected arguments, shown above the form. */
  error?: string;
  /** Report time zone, shown on the page. */
  timezone: string;
  /** Signed links for the "Embed" box; no box without them. */
  embed?: EmbedSnippet;
}

const AGGREGATE_OPTIONS: ReadonlyArray<[Aggregate, string]> = [
  ["day", "Day"],
  ["week", "Week"],
  ["month", "Month"],
  ["quarter", "Quarter"],
  ["year", "Year"],
];

const COMPARE_OPTIONS: ReadonlyArray<[string, string]> = [
  ["", "Nothing"],
  ["previous", "Previous period"],
  ["year", "Previous year"],
];

function query(basePath: string, suffix: string, params: Record<string, string>): string {
  return `${basePath.replace(/\/+$/, "")}${suffix}?${new URLSearchParams(params).toString()}`;
}

function describeRange(start: CalendarDay, end: CalendarDay): string {
  return start === end ? start : `${start} to ${end}`;
}

/** `▲ 3 (+25%)`, `▼ 2 (−10%)`, `0`, or empty without a counterpart. */
export function delta(current: number, previous: number | null | undefined): string {
  if (previous === null || previous === undefined) return "";
  const change = current - previous;
  if (change === 0) return '<span class="same">±0</span>';
  const percent =
    previous === 0 ? "" : ` (${change > 0 ? "+" : "−"}${Math.round((Math.abs(change) * 100) / previous)}%)`;
  return change > 0
    ? `<span class="up">▲ ${change}${percent}</span>`
    : `<span class="down">▼ ${-change}${percent}</span>`;
}

/**
 * Renders the usage page: the form (start, end, aggregate, compare), the inline chart, the range totals,
 * the data table (new and returning users; with compare the compared values and ▲/▼ deltas), CSV/JSON/SVG/PNG
 * links, the "Embed" box, the report time zone and "data through". Plain HTML with no script, so it works
 * with JavaScript off; every value is escaped.
 */
export function renderPage(options: PageOptions): string {
  const { report, form } = options;
  const title = report ? `Distinct users per ${report.aggregate}` : "Distinct users logging in";
  const parts: string[] = [];
  parts.push(
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
  );

  const meta = [`Report time zone: <strong>${escapeHtml(options.timezone)}</strong>`];
  if (report) {
    meta.push(`weeks start on ${report.weekStartsOn === "sunday" ? "Sunday" : "Monday (ISO weeks)"}`);
    meta.push(
      report.dataThrough
        ? `data through <strong>${escapeHtml(report.dataThrough)}</strong>`
        : "no logins extracted yet (the aggregation job has not run)",
    );
  }
  parts.push(`<p class="meta">${meta.join(" · ")}</p>`);

  if (options.error) parts.push(`<p class="error" role="alert">${escapeHtml(options.error)}</p>`);

  const selected = (report?.aggregate ?? form.aggregate ?? "week").toLowerCase();
  const compare = (report?.compared?.compare ?? form.compare ?? "").toLowerCase();
  parts.push(
    `<form method="get" action="${escapeHtml(options.basePath)}">`,
    `<label>Start <input type="date" name="start" value="${escapeHtml(report?.start ?? form.start ?? "")}"></label>`,
    `<label>End <input type="date" name="end" value="${escapeHtml(report?.end ?? form.end ?? "")}"></label>`,
    '<label>Aggregate <select name="aggregate">',
    ...AGGREGATE_OPTIONS.map(
      ([value, text]) =>
        `<option value="${value}"${value === selected || value[0] === selected ? " selected" : ""}>${text}</option>`,
    ),
    "</select></label>",
    '<label>Compare with <select name="compare">',
    ...COMPARE_OPTIONS.map(
      ([value, text]) => `<option value="${value}"${value === compare ? " selected" : ""}>${text}</option>`,
    ),
    "</select></label>",
    '<button type="submit">Show</button></form>',
  );

  if (report) {
    const compared = report.compared;
    const params: Record<string, string> = {
      start: report.start,
      end: report.end,
      aggregate: report.aggregate,
    };
    if (compared) params.compare = compared.compare;
    if (options.svg) parts.push(`<figure>${options.svg}</figure>`);
    const total = report.total;
    parts.push(
      `<p class="totals"><strong>${total.users}</strong> distinct ${total.users === 1 ? "user" : "users"} ` +
        `with <strong>${total.logins}</strong> ${total.logins === 1 ? "login" : "logins"} ` +
        `from ${escapeHtml(describeRange(report.start, report.end))}: ${total.new_users} new, ${total.returning_users} returning` +
        (compared
          ? `; ${total.previous_users ?? 0} from ${escapeHtml(describeRange(compared.start, compared.end))} ${delta(total.users, total.previous_users)}`
          : "") +
        ".</p>",
      '<p class="downloads">Download: ',
      `<a href="${escapeHtml(query(options.basePath, "/raw", { ...params, content_type: "csv" }))}" download>CSV</a>`,
      `<a href="${escapeHtml(query(options.basePath, "/raw", { ...params, content_type: "json" }))}">JSON</a>`,
      `<a href="${escapeHtml(query(options.basePath, "/plot", params))}">SVG</a>`,
      `<a href="${escapeHtml(query(options.basePath, "/plot", { ...params, format: "png" }))}">PNG</a></p>`,
      "<table><caption>Distinct users and logins per period; new users logged in for the first time on one of the period's days; " +
        "partial periods (not complete within the range, or not ended yet) in italics.</caption>",
      '<thead><tr><th scope="col">Period</th><th scope="col">First day</th><th scope="col">Last day</th>' +
        '<th scope="col" class="num">Users</th><th scope="col" class="num">Logins</th><th scope="col">Partial</th>' +
        '<th scope="col" class="num">New users</th><th scope="col" class="num">Returning users</th>' +
        (compared
          ? '<th scope="col" class="num">Compared users</th><th scope="col" class="num">Compared logins</th><th scope="col">Change in users</th>'
          : "") +
        "</tr></thead><tbody>",
    );
    for (const row of report.rows) {
      const compareCells = compared
        ? `<td class="num">${row.previous_users ?? ""}</td><td class="num">${row.previous_logins ?? ""}</td>` +
          `<td>${delta(row.users, row.previous_users)}</td>`
        : "";
      parts.push(
        `<tr${row.partial ? ' class="partial"' : ""}><th scope="row">${escapeHtml(row.label)}</th>` +
          `<td>${escapeHtml(row.start)}</td><td>${escapeHtml(row.end)}</td>` +
          `<td class="num">${row.users}</td><td class="num">${row.logins}</td><td>${row.partial ? "partial" : ""}</td>` +
          `<td class="num">${row.new_users}</td><td class="num">${row.returning_users}</td>${compareCells}</tr>`,
      );
    }
    parts.push(
      "</tbody><tfoot>",
      `<tr><td colspan="3">Range total (distinct users over the whole range)</td><td class="num">${total.users}</td>` +
        `<td class="num">${total.logins}</td><td></td><td class="num">${total.new_users}</td><td class="num">${total.returning_users}</td>` +
        (compared
          ? `<td class="num">${total.previous_users ?? ""}</td><td class="num">${total.previous_logins ?? ""}</td><td>${delta(total.users, total.previous_users)}</td>`
          : "") +
        "</tr></tfoot></table>",
      '<p class="meta">A user counts once per period however often they log in; the range total counts each user once ' +
        "over the whole range, so it is not the sum of the rows. A new user's first login ever is on one of the period's days " +
        "in the range; the others are returning. The user admin and configured excluded users are not counted.</p>",
    );
    if (options.embed) parts.push(embedBox(options.embed));
  }
  parts.push("</body></html>");
  return parts.join("\n");
}
