import {
  type Core4Context,
  defineRoutes,
  rawArgument,
  reply,
  replyHtml,
  type ServerRuntime,
  withConsoleLayout,
} from "core4ts/server";
import type { CalendarDay } from "./calendar-day.js";
import { renderChart } from "./chart/render-chart.js";
import { excludedUsers, type UsageConfig } from "./config.js";
import { AGGREGATE_LOGINS } from "./job-name.js";
import { renderPage } from "./page/render-page.js";
import { parseDimension, parseReportArgs } from "./report-args.js";
import { ReportArgumentError } from "./report-argument-error.js";
import { queryReport } from "./report-query.js";
import { type PeriodCountDoc, type PeriodUserDoc, rollupRefs } from "./rollups.js";
import type { LoginDoc, UsageReport } from "./types.js";

/** Path of the usage page; `/raw` and `/plot` sit below it. */
export const USAGE_PATH = "/usage/login";

/** CSV and table column order (docs/contracts.md "Usage plugin routes"). */
export const ROW_COLUMNS = ["label", "start", "end", "users", "logins", "partial"] as const;

function usageConfig(runtime: ServerRuntime): UsageConfig {
  return runtime.config.section<UsageConfig>("usage");
}

async function dataThrough(runtime: ServerRuntime): Promise<CalendarDay | undefined> {
  const cookie = await runtime.mongo
    .sys<{ _id: string; offset?: unknown }>("cookie")
    .findOne({ _id: AGGREGATE_LOGINS });
  return typeof cookie?.offset === "string" ? cookie.offset : undefined;
}

/** Reads the request's report arguments and runs the report. Bad arguments throw {@link ReportArgumentError}. */
async function loadReport(ctx: Core4Context, runtime: ServerRuntime): Promise<UsageReport> {
  const config = usageConfig(runtime);
  const range = parseReportArgs(
    {
      start: rawArgument(ctx, "start"),
      end: rawArgument(ctx, "end"),
      aggregate: rawArgument(ctx, "aggregate"),
    },
    { timezone: config.timezone, maxRangeDays: config.maxRangeDays },
  );
  const refs = rollupRefs(config.login);
  return queryReport(runtime.mongo.collection<LoginDoc>(config.login, "usage"), range, {
    timezone: config.timezone,
    weekStartsOn: config.weekStartsOn,
    exclude: excludedUsers(config),
    dataThrough: await dataThrough(runtime),
    rollups: {
      periodUsers: runtime.mongo.collection<PeriodUserDoc>(refs.periodUsers, "usage"),
      periodCounts: runtime.mongo.collection<PeriodCountDoc>(refs.periodCounts, "usage"),
    },
  });
}

function chartTitle(report: UsageReport): string {
  const range = report.start === report.end ? report.start : `${report.start} to ${report.end}`;
  return `Distinct users logging in per ${report.aggregate}, ${range} (${report.timezone})`;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * The usage routes (GET and POST alike): the HTML page, the raw rows (JSON, CSV, HTML, text) and the
 * standalone SVG chart.
 */
export const usageRoutes = defineRoutes((router, { runtime }) => {
  router.page(USAGE_PATH, "Usage: logins");
  router.getOrPost(USAGE_PATH, async (ctx) => {
    const timezone = usageConfig(runtime).timezone;
    const form = {
      start: text(rawArgument(ctx, "start")),
      end: text(rawArgument(ctx, "end")),
      aggregate: text(rawArgument(ctx, "aggregate")),
    };
    let report: UsageReport;
    try {
      report = await loadReport(ctx, runtime);
    } catch (error) {
      if (!(error instanceof ReportArgumentError)) throw error;
      const page = renderPage({ basePath: USAGE_PATH, form, error: error.message, timezone });
      replyHtml(ctx, withConsoleLayout(ctx, page), 400);
      return;
    }
    const svg = renderChart(report.rows, { title: chartTitle(report) });
    const page = renderPage({ basePath: USAGE_PATH, report, svg, form, timezone });
    replyHtml(ctx, withConsoleLayout(ctx, page));
  });

  router.getOrPost(`${USAGE_PATH}/raw`, async (ctx) => {
    const report = await loadReport(ctx, runtime);
    reply(ctx, report.rows, {
      columns: ROW_COLUMNS,
      title: chartTitle(report),
      filename: `usage-login-${report.aggregate}-${report.start}-${report.end}.csv`,
    });
  });

  router.getOrPost(`${USAGE_PATH}/plot`, async (ctx) => {
    const width = parseDimension("width", rawArgument(ctx, "width"));
    const height = parseDimension("height", rawArgument(ctx, "height"));
    const report = await loadReport(ctx, runtime);
    const svg = renderChart(report.rows, { title: chartTitle(report), width, height });
    ctx.status = 200;
    ctx.type = "image/svg+xml; charset=utf-8";
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`;
  });
});
