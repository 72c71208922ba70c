import { escapeHtml } from "core4ts/server";
import type { CalendarDay } from "../calendar-day.js";
import type { Aggregate } from "../periods.js";
import type { UsageReport } from "../types.js";

/** Options of {@link renderPage}. */
export interface PageOptions {
  /** Path of the page itself (`/usage/login`); the raw and plot links are built below it. */
  basePath: string;
  /** The report to show; absent when the arguments were rejected. */
  report?: UsageReport;
  /** The chart, a standalone SVG document inlined as is (it is produced by `renderChart`, already escaped). */
  svg?: string;
  /** Values to prefill the form with (the caller's, also when they were rejected). */
  form: { start?: string; end?: string; aggregate?: string };
  /** A message about rejected arguments, shown above the form. */
  error?: string;
  /** Report time zone, shown on the page. */
  timezone: string;
}

const AGGREGATE_OPTIONS: ReadonlyArray<[Aggregate, string]> = [
  ["day", "Day"],
  ["week", "Week"],
  ["month", "Month"],
  ["quarter", "Quarter"],
  ["year", "Year"],
];

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.25rem;color:#111827;line-height:1.45}
h1{font-size:1.4rem;margin:.2rem 0 .4rem}
.meta{color:#4b5563;margin:0 0 1rem}
form{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin:0 0 1rem}
label{display:flex;flex-direction:column;font-size:.85rem;color:#374151}
input,select,button{font:inherit;padding:.3rem .45rem}
.error{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;padding:.6rem .8rem;border-radius:.3rem}
figure{margin:0 0 1rem}
figure svg{width:100%;height:auto;display:block}
.totals{font-size:1.05rem}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #e5e7eb;padding:.3rem .5rem;text-align:left}
td.num,th.num{text-align:right}
tr.partial td{color:#6b7280;font-style:italic}
tfoot td{font-weight:600}
.downloads a{margin-right:1rem}
`;

function query(basePath: string, suffix: string, params: Record<string, string>): string {
  return `${basePath.replace(/\/+$/, "")}${suffix}?${new URLSearchParams(params).toString()}`;
}

function describeRange(start: CalendarDay, end: CalendarDay): string {
  return start === end ? start : `${start} to ${end}`;
}

/**
 * Renders the usage page: the form (start, end, aggregate), the inline chart, the range totals, the data
 * table, CSV/JSON/SVG download links, the report time zone and "data through". Plain HTML with no script,
 * so it works with JavaScript off; every value is escaped.
 */
export function renderPage(options: PageOptions): string {
  const { report, form } = options;
  const title = report ? `Distinct users per ${report.aggregate}` : "Distinct users logging in";
  const parts: string[] = [];
  parts.push(
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`,
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
    '<button type="submit">Show</button></form>',
  );

  if (report) {
    const params = { start: report.start, end: report.end, aggregate: report.aggregate };
    if (options.svg) parts.push(`<figure>${options.svg}</figure>`);
    parts.push(
      `<p class="totals"><strong>${report.total.users}</strong> distinct ${report.total.users === 1 ? "user" : "users"} ` +
        `with <strong>${report.total.logins}</strong> ${report.total.logins === 1 ? "login" : "logins"} ` +
        `from ${escapeHtml(describeRange(report.start, report.end))}.</p>`,
      '<p class="downloads">Download: ',
      `<a href="${escapeHtml(query(options.basePath, "/raw", { ...params, content_type: "csv" }))}" download>CSV</a>`,
      `<a href="${escapeHtml(query(options.basePath, "/raw", { ...params, content_type: "json" }))}">JSON</a>`,
      `<a href="${escapeHtml(query(options.basePath, "/plot", params))}">SVG</a></p>`,
      "<table><caption>Distinct users and logins per period; partial periods (not complete within the range, or not ended yet) in italics.</caption>",
      '<thead><tr><th scope="col">Period</th><th scope="col">First day</th><th scope="col">Last day</th>' +
        '<th scope="col" class="num">Users</th><th scope="col" class="num">Logins</th><th scope="col">Partial</th></tr></thead><tbody>',
    );
    for (const row of report.rows) {
      parts.push(
        `<tr${row.partial ? ' class="partial"' : ""}><th scope="row">${escapeHtml(row.label)}</th>` +
          `<td>${escapeHtml(row.start)}</td><td>${escapeHtml(row.end)}</td>` +
          `<td class="num">${row.users}</td><td class="num">${row.logins}</td><td>${row.partial ? "partial" : ""}</td></tr>`,
      );
    }
    parts.push(
      "</tbody><tfoot>",
      `<tr><td colspan="3">Range total (distinct users over the whole range)</td><td class="num">${report.total.users}</td>` +
        `<td class="num">${report.total.logins}</td><td></td></tr></tfoot></table>`,
      '<p class="meta">A user counts once per period however often they log in; the range total counts each user once ' +
        "over the whole range, so it is not the sum of the rows. The user admin and configured excluded users are not counted.</p>",
    );
  }
  parts.push("</body></html>");
  return parts.join("\n");
}
