import type { ReportRow } from "../types.js";
import { type LineSeries, renderLineChart } from "./line-chart.js";

export { DEFAULT_CHART_SIZE, integerTicks, labelStep } from "./line-chart.js";

/** Options of {@link renderChart}. */
export interface ChartOptions {
  /** Heading, also the SVG `<title>` (any text: it is escaped). */
  title: string;
  /** Longer text for the SVG `<desc>`; a summary of the data is appended. */
  description?: string;
  /** Fixed width in pixels; without it the SVG scales to its container (viewBox only). */
  width?: number;
  /** Fixed height in pixels. */
  height?: number;
  /** Prefix of element ids, unique within the page the SVG is inlined into. */
  idPrefix?: string;
  /** Name of the compared series when rows carry `previous_users` ("previous period", "previous year"). */
  previousName?: string;
}

const COLOR = "#2563eb";
const PREVIOUS_COLOR = "#64748b";

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function pointTitle(row: ReportRow): string {
  const span = row.start === row.end ? row.start : `${row.start} to ${row.end}`;
  const previous =
    row.previous_users === undefined
      ? ""
      : `; compared: ${row.previous_users === null ? "none" : plural(row.previous_users, "user", "users")}`;
  return (
    `${row.label} (${span}): ${plural(row.users, "user", "users")}, ${plural(row.logins, "login", "logins")}` +
    `${previous}${row.partial ? " (partial period)" : ""}`
  );
}

function summary(rows: readonly ReportRow[]): string {
  if (rows.length === 0) return "No periods in this range.";
  const top = rows.reduce((a, b) => (b.users > a.users ? b : a));
  const partial = rows.filter((r) => r.partial).length;
  const first = rows[0] as ReportRow;
  const last = rows[rows.length - 1] as ReportRow;
  return (
    `${rows.length} ${rows.length === 1 ? "period" : "periods"} from ${first.label} to ${last.label}; ` +
    `most distinct users: ${top.users} in ${top.label}.` +
    (partial > 0 ? ` ${partial} partial ${partial === 1 ? "period is" : "periods are"} drawn dashed.` : "")
  );
}

/**
 * Renders report rows as a standalone SVG line chart of distinct users per period: `role="img"` with
 * `<title>` and `<desc>` first, integer y ticks from 0, thinned period labels inside the viewBox, a
 * `<title>` tooltip per point, partial periods dashed with hollow points, the compared series (rows with
 * `previous_users`) dashed and lighter, an empty-data message, a responsive viewBox.
 */
export function renderChart(rows: readonly ReportRow[], options: ChartOptions): string {
  const compared = rows.some((r) => r.previous_users !== undefined);
  const partial = rows.map((r) => r.partial);
  const series: LineSeries[] = [
    {
      key: "line",
      name: "distinct users",
      values: rows.map((r) => r.users),
      color: COLOR,
      points: { titles: rows.map(pointTitle), partial },
    },
  ];
  if (compared) {
    series.push({
      key: "line previous",
      name: options.previousName ?? "compared period",
      values: rows.map((r) => r.previous_users ?? null),
      color: PREVIOUS_COLOR,
      dashed: true,
      opacity: 0.55,
    });
  }
  return renderLineChart({
    title: options.title,
    description: [options.description, summary(rows)].filter(Boolean).join(" "),
    labels: rows.map((r) => r.label),
    series,
    yLabel: "distinct users",
    emptyText: rows.length === 0 ? "No periods in this range" : "No logins in this range",
    extraLegend: partial.some(Boolean)
      ? [{ name: "partial period", color: COLOR, dashed: true, opacity: 0.6 }]
      : undefined,
    legend: compared,
    width: options.width,
    height: options.height,
    idPrefix: options.idPrefix,
  });
}
