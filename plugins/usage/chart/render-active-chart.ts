import type { ActiveRow } from "../active-users.js";
import { renderLineChart } from "./line-chart.js";

/** Options of {@link renderActiveChart}. */
export interface ActiveChartOptions {
  title: string;
  width?: number;
  height?: number;
  idPrefix?: string;
}

/** A standalone SVG of DAU, WAU and MAU per day: three lines with a legend. */
export function renderActiveChart(rows: readonly ActiveRow[], options: ActiveChartOptions): string {
  const last = rows[rows.length - 1];
  const description =
    rows.length === 0
      ? "No days in this range."
      : `${rows.length} ${rows.length === 1 ? "day" : "days"} from ${rows[0]?.day} to ${last?.day}; on ${last?.day}: ` +
        `${last?.dau} daily, ${last?.wau} weekly and ${last?.mau} monthly active users, stickiness ${last?.stickiness}.`;
  return renderLineChart({
    title: options.title,
    description,
    labels: rows.map((r) => r.day),
    series: [
      { key: "line mau", name: "MAU (30 days)", values: rows.map((r) => r.mau), color: "#7c3aed" },
      { key: "line wau", name: "WAU (7 days)", values: rows.map((r) => r.wau), color: "#0891b2" },
      { key: "line dau", name: "DAU", values: rows.map((r) => r.dau), color: "#2563eb" },
    ],
    yLabel: "active users",
    emptyText: rows.length === 0 ? "No days in this range" : "No logins in this range",
    width: options.width,
    height: options.height,
    idPrefix: options.idPrefix ?? "usage-active-chart",
  });
}
