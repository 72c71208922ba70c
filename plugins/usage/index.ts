/**
 * The usage plugin: distinct users logging in per day, week, month, quarter and year.
 * @packageDocumentation
 */
import { definePlugin } from "core4ts";
import { AggregateLogins } from "./aggregate-logins.js";
import { usageConfigSchema } from "./config.js";
import { usageRoutes } from "./routes.js";

export {
  ACTIVE_COLUMNS,
  type ActiveReport,
  type ActiveRow,
  queryActive,
  stickiness,
} from "./active-users.js";
export {
  AggregateLogins,
  type AggregateLoginsArgs,
  type AggregateLoginsResult,
} from "./aggregate-logins.js";
export { type CalendarDay, dayBounds, dayOfInstant, todayIn } from "./calendar-day.js";
export { type ActiveChartOptions, renderActiveChart } from "./chart/render-active-chart.js";
export { type ChartOptions, renderChart } from "./chart/render-chart.js";
export { PNG_FONT_FILE, svgToPng } from "./chart/render-png.js";
export { comparedRange, parseCompare, yearEarlier } from "./compare.js";
export { type CondenseOptions, type CondenseResult, condenseDay, LOGIN_MESSAGE } from "./condense-day.js";
export { excludedUsers, type UsageConfig, usageConfigSchema } from "./config.js";
export { ensureSourceIndexes, ensureTargetIndexes } from "./indexes.js";
export { AGGREGATE_LOGINS } from "./job-name.js";
export { type ActivePageOptions, renderActivePage } from "./page/render-active-page.js";
export { type PageOptions, renderPage } from "./page/render-page.js";
export { type Aggregate, enumeratePeriods, type Period, periodOf, type WeekStart } from "./periods.js";
export { parseReportArgs, type RawReportArgs, type ReportRange } from "./report-args.js";
export { ReportArgumentError } from "./report-argument-error.js";
export { queryReport, type ReportOptions } from "./report-query.js";
export { ACTIVE_PATH, COMPARE_COLUMNS, parseFormat, ROW_COLUMNS, USAGE_PATH, usageRoutes } from "./routes.js";
export {
  generateSampleLogins,
  type SampleLoginOptions,
  type SampleLoginRecord,
  seededRandom,
} from "./sample-logins.js";
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
