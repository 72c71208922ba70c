import { axisBottom, axisLeft, max, scaleLinear, scalePoint, select } from "d3";
import type { ReportRow } from "../types.js";
import { SvgFactory } from "./svg-factory.js";

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
}

/** Default drawing size (the viewBox when no width/height is given). */
export const DEFAULT_CHART_SIZE = { width: 800, height: 320 } as const;

const COLOR = "#2563eb";
const MUTED = "#6b7280";
const GRID = "#e5e7eb";
const FONT_SIZE = 11;
// No text measurement in jsdom: estimate a label's width from its length.
const CHAR_WIDTH = FONT_SIZE * 0.62;
const MARGIN = { top: 40, right: 20, bottom: 44, left: 52 };

/** Integer ticks from 0 for counts (no 0.5 users). */
export function integerTicks(maxValue: number, count = 5): number[] {
  const top = Math.max(1, Math.ceil(maxValue));
  const ticks = scaleLinear().domain([0, top]).nice(count).ticks(count).filter(Number.isInteger);
  return ticks.length > 0 ? ticks : [0, top];
}

/** Every `step`-th label index so that labels of `maxChars` characters do not overlap in `width` pixels. */
export function labelStep(count: number, width: number, maxChars: number): number {
  if (count <= 0) return 1;
  const needed = maxChars * CHAR_WIDTH + 10;
  return Math.max(1, Math.ceil(needed / (width / count)));
}

function pointTitle(row: ReportRow): string {
  const span = row.start === row.end ? row.start : `${row.start} to ${row.end}`;
  const users = `${row.users} ${row.users === 1 ? "user" : "users"}`;
  const logins = `${row.logins} ${row.logins === 1 ? "login" : "logins"}`;
  return `${row.label} (${span}): ${users}, ${logins}${row.partial ? " (partial period)" : ""}`;
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

/** SVG path data joining the points of consecutive indices `i, i+1` for which `keep(i)` holds. */
function segmentsPath(points: ReadonlyArray<[number, number]>, keep: (i: number) => boolean): string {
  let path = "";
  let open = false;
  for (let i = 0; i + 1 < points.length; i++) {
    if (!keep(i)) {
      open = false;
      continue;
    }
    const [x0, y0] = points[i] as [number, number];
    const [x1, y1] = points[i + 1] as [number, number];
    if (!open) path += `M${x0.toFixed(1)},${y0.toFixed(1)}`;
    path += `L${x1.toFixed(1)},${y1.toFixed(1)}`;
    open = true;
  }
  return path;
}

/**
 * Renders report rows as a standalone SVG line chart of distinct users per period: `role="img"` with
 * `<title>` and `<desc>` first, integer y ticks from 0, thinned period labels, a `<title>` tooltip per point,
 * partial periods dashed with hollow points, an empty-data message, a responsive viewBox. All text is set as
 * DOM text and escaped by the XML serialiser.
 */
export function renderChart(rows: readonly ReportRow[], options: ChartOptions): string {
  const factory = SvgFactory.shared();
  const width = options.width ?? DEFAULT_CHART_SIZE.width;
  const height = options.height ?? DEFAULT_CHART_SIZE.height;
  const id = options.idPrefix ?? "usage-chart";
  const innerWidth = Math.max(10, width - MARGIN.left - MARGIN.right);
  const innerHeight = Math.max(10, height - MARGIN.top - MARGIN.bottom);

  const root = factory.createRoot();
  const svg = select(root)
    .attr("viewBox", `0 0 ${width} ${height}`)
    .attr("role", "img")
    .attr("aria-labelledby", `${id}-title ${id}-desc`)
    .attr("font-family", "system-ui, -apple-system, 'Segoe UI', sans-serif")
    .attr("font-size", FONT_SIZE);
  if (options.width !== undefined) svg.attr("width", width);
  if (options.height !== undefined) svg.attr("height", height);

  // Accessible name and description come first, as screen readers and browsers expect.
  svg.append("title").attr("id", `${id}-title`).text(options.title);
  const description = [options.description, summary(rows)].filter(Boolean).join(" ");
  svg.append("desc").attr("id", `${id}-desc`).text(description);

  svg.append("rect").attr("width", width).attr("height", height).attr("fill", "#ffffff");
  svg
    .append("text")
    .attr("class", "heading")
    .attr("x", MARGIN.left)
    .attr("y", 20)
    .attr("font-size", 14)
    .attr("font-weight", 600)
    .attr("fill", "#111827")
    .text(options.title);

  const plot = svg.append("g").attr("transform", `translate(${MARGIN.left},${MARGIN.top})`);
  const labels = rows.map((r) => r.label);
  const x = scalePoint<string>().domain(labels).range([0, innerWidth]).padding(0.5);
  const ticks = integerTicks(max(rows, (r) => r.users) ?? 0);
  const y = scaleLinear()
    .domain([0, ticks[ticks.length - 1] as number])
    .range([innerHeight, 0]);

  plot
    .append("g")
    .attr("class", "grid")
    .selectAll("line")
    .data(ticks)
    .join("line")
    .attr("x1", 0)
    .attr("x2", innerWidth)
    .attr("y1", (t) => y(t))
    .attr("y2", (t) => y(t))
    .attr("stroke", GRID);

  const yAxis = plot
    .append("g")
    .attr("class", "y-axis")
    .call(
      axisLeft(y)
        .tickValues(ticks)
        .tickFormat((t) => String(t)),
    );
  yAxis.select(".domain").remove();
  yAxis.attr("font-size", FONT_SIZE).attr("font-family", null);
  plot
    .append("text")
    .attr("class", "y-label")
    .attr("transform", `translate(${-MARGIN.left + 14},${innerHeight / 2}) rotate(-90)`)
    .attr("text-anchor", "middle")
    .attr("fill", MUTED)
    .text("distinct users");

  const step = labelStep(labels.length, innerWidth, max(labels, (l) => l.length) ?? 0);
  const xAxis = plot
    .append("g")
    .attr("class", "x-axis")
    .attr("transform", `translate(0,${innerHeight})`)
    .call(axisBottom(x).tickValues(labels.filter((_, i) => i % step === 0)));
  xAxis.attr("font-size", FONT_SIZE).attr("font-family", null);

  const hasData = rows.some((r) => r.users > 0);
  if (!hasData) {
    plot
      .append("text")
      .attr("class", "empty")
      .attr("x", innerWidth / 2)
      .attr("y", innerHeight / 2)
      .attr("text-anchor", "middle")
      .attr("fill", MUTED)
      .attr("font-size", 14)
      .text(rows.length === 0 ? "No periods in this range" : "No logins in this range");
  }

  const points = rows.map((r): [number, number] => [x(r.label) ?? 0, y(r.users)]);
  const partialAt = (i: number): boolean => Boolean(rows[i]?.partial || rows[i + 1]?.partial);
  if (hasData && points.length > 1) {
    plot
      .append("path")
      .attr("class", "line")
      .attr(
        "d",
        segmentsPath(points, (i) => !partialAt(i)),
      )
      .attr("fill", "none")
      .attr("stroke", COLOR)
      .attr("stroke-width", 2);
    plot
      .append("path")
      .attr("class", "line partial")
      .attr("d", segmentsPath(points, partialAt))
      .attr("fill", "none")
      .attr("stroke", COLOR)
      .attr("stroke-width", 2)
      .attr("stroke-dasharray", "5 4")
      .attr("stroke-opacity", 0.6);
  }

  const radius = rows.length > 300 ? 1.5 : rows.length > 80 ? 2.5 : 4;
  // Shared presentation attributes sit on the group (inherited): fewer nodes to build and serialise.
  const point = plot
    .append("g")
    .attr("class", "points")
    .attr("fill", COLOR)
    .attr("stroke", COLOR)
    .attr("stroke-width", 1.5)
    .selectAll("circle")
    .data(rows)
    .join("circle")
    .attr("cx", (_, i) => (points[i] as [number, number])[0].toFixed(1))
    .attr("cy", (_, i) => (points[i] as [number, number])[1].toFixed(1))
    .attr("r", radius);
  point
    .filter((r) => r.partial)
    .attr("class", "partial")
    .attr("fill", "#ffffff");
  point.append("title").text(pointTitle);

  if (rows.some((r) => r.partial)) {
    const legend = svg
      .append("g")
      .attr("class", "legend")
      .attr("transform", `translate(${width - MARGIN.right - 150},16)`)
      .attr("fill", MUTED);
    legend
      .append("line")
      .attr("x1", 0)
      .attr("x2", 24)
      .attr("stroke", COLOR)
      .attr("stroke-width", 2)
      .attr("stroke-dasharray", "5 4")
      .attr("stroke-opacity", 0.6);
    legend.append("text").attr("x", 30).attr("dy", "0.35em").text("partial period");
  }

  return factory.serialize(root);
}
