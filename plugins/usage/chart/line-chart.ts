import { axisBottom, axisLeft, max, scaleLinear, scalePoint, select } from "d3";
import { SvgFactory } from "./svg-factory.js";

/** One line of a chart. */
export interface LineSeries {
  /** CSS class of its path (`line`, `previous`, `dau`, ...). */
  key: string;
  /** Name in the legend. */
  name: string;
  /** One value per label; null leaves a gap. */
  values: ReadonlyArray<number | null>;
  color: string;
  /** Drawn dashed (and lighter with `opacity`). */
  dashed?: boolean;
  opacity?: number;
  /** Draw a point per value, with these tooltips; `partial[i]` draws point i hollow and its segments dashed. */
  points?: { titles: readonly string[]; partial?: readonly boolean[] };
}

/** What {@link renderLineChart} draws. */
export interface LineChartSpec {
  /** Heading and SVG `<title>` (escaped). */
  title: string;
  /** The SVG `<desc>` (escaped). */
  description: string;
  /** x-axis labels, one per value. */
  labels: readonly string[];
  series: readonly LineSeries[];
  /** Text of the y axis. */
  yLabel: string;
  /** Shown when there is nothing to draw. */
  emptyText: string;
  /** Legend entries besides the series (e.g. the partial-period dash). */
  extraLegend?: ReadonlyArray<{ name: string; color: string; dashed: boolean; opacity?: number }>;
  /** Legend for the series too (default: when there is more than one). */
  legend?: boolean;
  width?: number;
  height?: number;
  idPrefix?: string;
  /** A tick-format for y (default integers). */
  yFormat?: (value: number) => string;
}

/** Default drawing size (the viewBox when no width/height is given). */
export const DEFAULT_CHART_SIZE = { width: 800, height: 320 } as const;

const MUTED = "#6b7280";
const GRID = "#e5e7eb";
/** Font size of labels. */
export const FONT_SIZE = 11;
/**
 * No text measurement in jsdom: a label's width is estimated from its length. 0.62 em per character is
 * above the average advance of the digits, hyphens and capitals of the labels in DejaVu Sans and the usual
 * system-ui fonts, so an estimated label is never narrower than the drawn one.
 */
export const CHAR_WIDTH = FONT_SIZE * 0.62;
const BASE_MARGIN = { top: 40, right: 20, bottom: 44, left: 52 };

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

/**
 * Margins that keep every x label inside the viewBox: a label is centred on its point, and the outermost
 * points sit half a step inside the plot, so the side margins hold at least half the longest label.
 */
export function chartMargins(maxLabelChars: number): typeof BASE_MARGIN {
  const half = Math.ceil((maxLabelChars * CHAR_WIDTH) / 2) + 4;
  return { ...BASE_MARGIN, left: Math.max(BASE_MARGIN.left, half), right: Math.max(BASE_MARGIN.right, half) };
}

/** SVG path data joining consecutive points `i, i+1` for which `keep(i)` holds and both values exist. */
function segmentsPath(points: ReadonlyArray<[number, number] | null>, keep: (i: number) => boolean): string {
  let path = "";
  let open = false;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    if (!keep(i) || !a || !b) {
      open = false;
      continue;
    }
    if (!open) path += `M${a[0].toFixed(1)},${a[1].toFixed(1)}`;
    path += `L${b[0].toFixed(1)},${b[1].toFixed(1)}`;
    open = true;
  }
  return path;
}

/**
 * A standalone SVG line chart: `role="img"` with `<title>` and `<desc>` first, integer y ticks from 0,
 * thinned x labels that all stay inside the viewBox, optional points with tooltips (partial ones hollow,
 * their segments dashed), dashed lighter series, a legend, an empty-data message, a responsive viewBox.
 * All text is set as DOM text and escaped by the XML serialiser.
 */
export function renderLineChart(spec: LineChartSpec): string {
  const factory = SvgFactory.shared();
  const width = spec.width ?? DEFAULT_CHART_SIZE.width;
  const height = spec.height ?? DEFAULT_CHART_SIZE.height;
  const id = spec.idPrefix ?? "usage-chart";
  const labels = spec.labels;
  const maxChars = max(labels, (l) => l.length) ?? 0;
  const margin = chartMargins(maxChars);
  const innerWidth = Math.max(10, width - margin.left - margin.right);
  const innerHeight = Math.max(10, height - margin.top - margin.bottom);

  const root = factory.createRoot();
  const svg = select(root)
    .attr("viewBox", `0 0 ${width} ${height}`)
    .attr("role", "img")
    .attr("aria-labelledby", `${id}-title ${id}-desc`)
    .attr("font-family", "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif")
    .attr("font-size", FONT_SIZE);
  if (spec.width !== undefined) svg.attr("width", width);
  if (spec.height !== undefined) svg.attr("height", height);

  // Accessible name and description come first, as screen readers and browsers expect.
  svg.append("title").attr("id", `${id}-title`).text(spec.title);
  svg.append("desc").attr("id", `${id}-desc`).text(spec.description);

  svg.append("rect").attr("width", width).attr("height", height).attr("fill", "#ffffff");
  svg
    .append("text")
    .attr("class", "heading")
    .attr("x", margin.left)
    .attr("y", 20)
    .attr("font-size", 14)
    .attr("font-weight", 600)
    .attr("fill", "#111827")
    .text(spec.title);

  const plot = svg.append("g").attr("transform", `translate(${margin.left},${margin.top})`);
  const x = scalePoint<string>()
    .domain(labels.map((l, i) => `${i}:${l}`))
    .range([0, innerWidth])
    .padding(0.5);
  const xAt = (i: number): number => x(`${i}:${labels[i]}`) ?? 0;
  const top = max(spec.series.flatMap((s) => s.values.map((v) => v ?? 0))) ?? 0;
  const ticks = integerTicks(top);
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

  const yFormat = spec.yFormat ?? ((t: number) => String(t));
  const yAxis = plot
    .append("g")
    .attr("class", "y-axis")
    .call(
      axisLeft(y)
        .tickValues(ticks)
        .tickFormat((t) => yFormat(Number(t))),
    );
  yAxis.select(".domain").remove();
  yAxis.attr("font-size", FONT_SIZE).attr("font-family", null);
  plot
    .append("text")
    .attr("class", "y-label")
    .attr("transform", `translate(${-margin.left + 14},${innerHeight / 2}) rotate(-90)`)
    .attr("text-anchor", "middle")
    .attr("fill", MUTED)
    .text(spec.yLabel);

  const step = labelStep(labels.length, innerWidth, maxChars);
  const shown = x.domain().filter((_, i) => i % step === 0);
  const xAxis = plot
    .append("g")
    .attr("class", "x-axis")
    .attr("transform", `translate(0,${innerHeight})`)
    .call(
      axisBottom(x)
        .tickValues(shown)
        .tickFormat((key) => key.slice(key.indexOf(":") + 1)),
    );
  xAxis.attr("font-size", FONT_SIZE).attr("font-family", null);

  const hasData = spec.series.some((s) => s.values.some((v) => v !== null && v > 0));
  if (!hasData) {
    plot
      .append("text")
      .attr("class", "empty")
      .attr("x", innerWidth / 2)
      .attr("y", innerHeight / 2)
      .attr("text-anchor", "middle")
      .attr("fill", MUTED)
      .attr("font-size", 14)
      .text(spec.emptyText);
  }

  for (const series of spec.series) {
    const points = series.values.map((v, i): [number, number] | null => (v === null ? null : [xAt(i), y(v)]));
    const partial = series.points?.partial;
    const partialAt = (i: number): boolean => Boolean(partial?.[i] || partial?.[i + 1]);
    if (hasData && points.length > 1) {
      const solid = plot
        .append("path")
        .attr("class", series.key)
        .attr(
          "d",
          segmentsPath(points, (i) => !partialAt(i)),
        )
        .attr("fill", "none")
        .attr("stroke", series.color)
        .attr("stroke-width", 2);
      if (series.dashed) solid.attr("stroke-dasharray", "5 4");
      if (series.opacity !== undefined) solid.attr("stroke-opacity", series.opacity);
      if (partial?.some(Boolean)) {
        plot
          .append("path")
          .attr("class", `${series.key} partial`)
          .attr("d", segmentsPath(points, partialAt))
          .attr("fill", "none")
          .attr("stroke", series.color)
          .attr("stroke-width", 2)
          .attr("stroke-dasharray", "5 4")
          .attr("stroke-opacity", 0.6);
      }
    }
    if (!series.points) continue;
    const titles = series.points.titles;
    const count = series.values.length;
    const radius = count > 300 ? 1.5 : count > 80 ? 2.5 : 4;
    const indices = series.values.flatMap((v, i) => (v === null ? [] : [i]));
    // Shared presentation attributes sit on the group (inherited): fewer nodes to build and serialise.
    const point = plot
      .append("g")
      .attr("class", "points")
      .attr("fill", series.color)
      .attr("stroke", series.color)
      .attr("stroke-width", 1.5)
      .selectAll("circle")
      .data(indices)
      .join("circle")
      .attr("cx", (i) => (points[i] as [number, number])[0].toFixed(1))
      .attr("cy", (i) => (points[i] as [number, number])[1].toFixed(1))
      .attr("r", radius);
    point
      .filter((i) => Boolean(partial?.[i]))
      .attr("class", "partial")
      .attr("fill", "#ffffff");
    point.append("title").text((i) => titles[i] ?? "");
  }

  const entries = [
    ...((spec.legend ?? spec.series.length > 1)
      ? spec.series.map((s) => ({
          name: s.name,
          color: s.color,
          dashed: Boolean(s.dashed),
          opacity: s.opacity,
        }))
      : []),
    ...(spec.extraLegend ?? []),
  ];
  if (entries.length > 0) {
    const legend = svg.append("g").attr("class", "legend").attr("fill", MUTED);
    let right = width - margin.right;
    for (const entry of [...entries].reverse()) {
      const entryWidth = 30 + Math.ceil(entry.name.length * CHAR_WIDTH);
      right -= entryWidth;
      const item = legend.append("g").attr("transform", `translate(${right},${height - 10})`);
      const line = item
        .append("line")
        .attr("x1", 0)
        .attr("x2", 24)
        .attr("stroke", entry.color)
        .attr("stroke-width", 2);
      if (entry.dashed) line.attr("stroke-dasharray", "5 4");
      if (entry.opacity !== undefined) line.attr("stroke-opacity", entry.opacity);
      item.append("text").attr("x", 28).attr("dy", "0.35em").text(entry.name);
      right -= 14;
    }
  }

  return factory.serialize(root);
}
