/**
 * The usage plugin: distinct users logging in per day, week, month, quarter and year.
 *
 * Besides the plugin (the default export), the report's building blocks for applications that compute or
 * draw it themselves (docs/usage.md "In code"). Public surface, listed name by name;
 * `api/core4ts-plugins-usage.api.md` is its committed report (docs/api.md).
 * @packageDocumentation
 */
import { definePlugin } from "core4ts";
import { AggregateLogins } from "./aggregate-logins.js";
import { usageConfigSchema } from "./config.js";
import { usageRoutes } from "./routes.js";

export {
  type ActiveOptions,
  type ActiveReport,
  type ActiveRow,
  queryActive,
  stickiness,
} from "./active-users.js";
export {
  AggregateLogins,
  type AggregateLoginsArgs,
  type AggregateLoginsResult,
  aggregateLoginsArgs,
} from "./aggregate-logins.js";
export type { CalendarDay } from "./calendar-day.js";
export { type ActiveChartOptions, renderActiveChart } from "./chart/render-active-chart.js";
export { type ChartOptions, renderChart } from "./chart/render-chart.js";
export { svgToPng } from "./chart/render-png.js";
export { LOGIN_MESSAGE } from "./condense-day.js";
export { type UsageConfig, usageConfigSchema } from "./config.js";
export { AGGREGATE_LOGINS } from "./job-name.js";
export type { EmbedSnippet } from "./page/page-parts.js";
export { type PageOptions, renderPage } from "./page/render-page.js";
export type { Aggregate, WeekStart } from "./periods.js";
export {
  parseReportArgs,
  type RawReportArgs,
  type ReportArgsContext,
  type ReportRange,
} from "./report-args.js";
export { ReportArgumentError } from "./report-argument-error.js";
export { queryReport, type ReportOptions } from "./report-query.js";
export type { Rollups } from "./rollups.js";
export { generateSampleLogins, type SampleLoginOptions, type SampleLoginRecord } from "./sample-logins.js";
export type { Compare, ComparedRange, LoginDoc, ReportRow, ReportTotal, UsageReport } from "./types.js";

/** The usage plugin. */
const usage = definePlugin({
  name: "usage",
  description: "distinct users logging in per day, week, month, quarter and year",
  config: usageConfigSchema,
  jobs: [AggregateLogins],
  routes: usageRoutes,
});

export default usage;
