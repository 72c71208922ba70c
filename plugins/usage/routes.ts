import {
  type Core4Context,
  defineRoutes,
  type EmbedLinks,
  entityTag,
  freshReply,
  linkOrigin,
  negotiate,
  RenderCache,
  rawArgument,
  reply,
  replyHtml,
  type ServerRuntime,
  withConsoleLayout,
} from "core4ts/server";
import { LRUCache } from "lru-cache";
import { ACTIVE_COLUMNS, type ActiveReport, queryActive } from "./active-users.js";
import { formatArgument, readReportArgument } from "./argument-schemas.js";
import type { CalendarDay } from "./calendar-day.js";
import { renderActiveChart } from "./chart/render-active-chart.js";
import { renderChart } from "./chart/render-chart.js";
import { svgToPng } from "./chart/render-png.js";
import { excludedUsers, type UsageConfig } from "./config.js";
import { AGGREGATE_LOGINS } from "./job-name.js";
import type { EmbedSnippet } from "./page/page-parts.js";
import { renderActivePage } from "./page/render-active-page.js";
import { renderPage } from "./page/render-page.js";
import { parseDimension, parseReportArgs, type ReportRange } from "./report-args.js";
import { ReportArgumentError } from "./report-argument-error.js";
import { queryReport } from "./report-query.js";
import { type FirstSeenDoc, type PeriodCountDoc, type PeriodUserDoc, rollupRefs } from "./rollups.js";
import type { LoginDoc, UsageReport } from "./types.js";

/** Path of the usage page; `/raw` and `/plot` sit below it. */
export const USAGE_PATH = "/usage/login";
/** Path of the rolling active users page; `/raw` and `/plot` sit below it. */
export const ACTIVE_PATH = "/usage/active";

/** CSV and table column order (docs/contracts.md "Usage plugin routes"). */
export const ROW_COLUMNS = [
  "label",
  "start",
  "end",
  "users",
  "logins",
  "partial",
  "new_users",
  "returning_users",
] as const;
/** Columns appended with `compare`. */
export const COMPARE_COLUMNS = ["previous_users", "previous_logins"] as const;

const TABLE_FORMATS = ["json", "csv", "html", "text"] as const;
/** Lifetime of the links in a page's "Embed" box. */
const PAGE_LINK_DAYS = 30;

function usageConfig(runtime: ServerRuntime): UsageConfig {
  return runtime.config.section("usage");
}

/** What says the stored numbers changed: the job's last completed day and its last completed run. */
interface DataVersion {
  dataThrough: CalendarDay | null;
  lastRun: string | null;
}

/**
 * How long a data version read from `sys.cookie` is reused, in ms: a new run of the job changes the tags
 * (and so the replies) within this time, and a cache hit costs no MongoDB read (docs/usage.md "Caching").
 */
export const DATA_VERSION_MS = 1_000;

async function readDataVersion(runtime: ServerRuntime): Promise<DataVersion> {
  const cookie = await runtime.mongo
    .sys<{ _id: string; offset?: unknown; last_runtime?: unknown }>("cookie")
    .findOne({ _id: AGGREGATE_LOGINS }, { projection: { offset: 1, last_runtime: 1 } });
  return {
    dataThrough: typeof cookie?.offset === "string" ? cookie.offset : null,
    lastRun: cookie?.last_runtime instanceof Date ? cookie.last_runtime.toISOString() : null,
  };
}

/**
 * The data version, read at most once per {@link DATA_VERSION_MS} (concurrent requests share one read).
 * The time counts from the start of the read, so no reply uses a version older than that bound; a failed
 * read is not kept.
 */
function dataVersionReader(runtime: ServerRuntime): () => Promise<DataVersion> {
  let kept: { version: Promise<DataVersion>; until: number } | undefined;
  return () => {
    const now = Date.now();
    if (kept && now < kept.until) return kept.version;
    const entry = { version: readDataVersion(runtime), until: now + DATA_VERSION_MS };
    kept = entry;
    entry.version.catch(() => {
      if (kept === entry) kept = undefined;
    });
    return entry.version;
  };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** How long a parsed range is reused for the same arguments, in ms ("today" in it is at most this late). */
const RANGE_REUSE_MS = 1_000;
const RANGES_MAX = 500;
/** Parsed ranges by their raw arguments and config: parsing dates in the report zone is most of a cache hit. */
const ranges = new LRUCache<string, ReportRange>({ max: RANGES_MAX, ttl: RANGE_REUSE_MS });

function readRange(ctx: Core4Context, config: UsageConfig, withAggregate = true): ReportRange {
  const raw = {
    start: rawArgument(ctx, "start"),
    end: rawArgument(ctx, "end"),
    aggregate: withAggregate ? rawArgument(ctx, "aggregate") : undefined,
    compare: withAggregate ? rawArgument(ctx, "compare") : undefined,
  };
  const options = { timezone: config.timezone, maxRangeDays: config.maxRangeDays };
  // Only plain text arguments are reused (a JSON body may carry other types; they are parsed each time).
  const plain = Object.values(raw).every((v) => v === undefined || typeof v === "string");
  if (!plain) return parseReportArgs(raw, options);
  const key = JSON.stringify([
    raw.start,
    raw.end,
    raw.aggregate,
    raw.compare,
    options.timezone,
    options.maxRangeDays,
  ]);
  const kept = ranges.get(key);
  if (kept) return kept;
  const range = Object.freeze(parseReportArgs(raw, options));
  ranges.set(key, range);
  return range;
}

/** Reads `format` of a plot route: `svg` (default) or `png`. */
export function parseFormat(value: unknown): "svg" | "png" {
  return readReportArgument("format", value, formatArgument, (shown) => `${shown} is not one of svg, png`);
}

/**
 * The entity tag of a usage reply (docs/contracts.md "HTTP", Caching): the route, the validated
 * arguments (with today, which decides defaults and partial periods), the config that changes the numbers,
 * the data version, and what else shapes the reply.
 */
function usageTag(ctx: Core4Context, config: UsageConfig, version: DataVersion, parts: unknown): string {
  return entityTag([ctx.path, config, version, parts]);
}

function chartTitle(report: UsageReport): string {
  const range = report.start === report.end ? report.start : `${report.start} to ${report.end}`;
  return `Distinct users logging in per ${report.aggregate}, ${range} (${report.timezone})`;
}

function activeTitle(report: ActiveReport): string {
  const range = report.start === report.end ? report.start : `${report.start} to ${report.end}`;
  return `Daily, weekly and monthly active users, ${range} (${report.timezone})`;
}

function previousName(report: UsageReport): string | undefined {
  if (!report.compared) return undefined;
  return report.compared.compare === "year" ? "a year earlier" : "previous period";
}

/** The arguments the caller gave (blank ones dropped): a link made from them follows "today" as the page does. */
function givenArgs(ctx: Core4Context, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = text(rawArgument(ctx, name));
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Links of a page's "Embed" box; the expiry is whole UTC days, so the page (and its tag) is stable all day. */
function embedSnippet(
  ctx: Core4Context,
  runtime: ServerRuntime,
  links: EmbedLinks | undefined,
  basePath: string,
  args: Record<string, string>,
  alt: string,
): EmbedSnippet | undefined {
  if (!links || ctx.state.signedLink) return undefined;
  const expires = (Math.floor(Date.now() / 86_400_000) + PAGE_LINK_DAYS) * 86_400;
  const origin = linkOrigin(runtime.config, ctx);
  return {
    svgUrl: links.url(origin, `${basePath}/plot`, args, expires),
    pngUrl: links.url(origin, `${basePath}/plot`, { ...args, format: "png" }, expires),
    pageUrl: links.url(origin, basePath, args, expires),
    alt,
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}

/** Who sees the page (the layout may name them) and whether it came by a signed link. */
function viewer(ctx: Core4Context, runtime: ServerRuntime): unknown {
  return [ctx.state.user?.name ?? null, Boolean(ctx.state.signedLink), linkOrigin(runtime.config, ctx)];
}

function sendPlot(ctx: Core4Context, body: string | Buffer): void {
  ctx.status = 200;
  if (typeof body === "string") {
    ctx.type = "image/svg+xml; charset=utf-8";
    ctx.body = body;
  } else {
    ctx.type = "image/png";
    ctx.body = body;
  }
}

function chartBody(svg: string, format: "svg" | "png"): string | Buffer {
  return format === "png" ? svgToPng(svg) : `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`;
}

/**
 * The usage routes (GET and POST alike, all embeddable by signed links, all with an `ETag`): the login
 * report's page, raw rows (JSON, CSV, HTML, text) and chart (SVG or PNG), and the same three for rolling
 * active users. Rendered charts and pages are kept in a small in-process cache keyed by their tag.
 */
export const usageRoutes = defineRoutes((router, { runtime, embedLinks }) => {
  const rendered = new RenderCache<string | Buffer>();
  const dataVersion = dataVersionReader(runtime);
  const embeddable = { embeddable: true } as const;
  router.page(USAGE_PATH, "Usage: logins");
  router.page(ACTIVE_PATH, "Usage: active users");

  const loadReport = (range: ReportRange, version: DataVersion): Promise<UsageReport> => {
    const config = usageConfig(runtime);
    const refs = rollupRefs(config.login);
    return queryReport(runtime.mongo.collection<LoginDoc>(config.login, "usage"), range, {
      timezone: config.timezone,
      weekStartsOn: config.weekStartsOn,
      exclude: excludedUsers(config),
      dataThrough: version.dataThrough,
      rollups: {
        periodUsers: runtime.mongo.collection<PeriodUserDoc>(refs.periodUsers, "usage"),
        periodCounts: runtime.mongo.collection<PeriodCountDoc>(refs.periodCounts, "usage"),
        firstSeen: runtime.mongo.collection<FirstSeenDoc>(refs.firstSeen, "usage"),
      },
    });
  };

  const loadActive = (range: ReportRange, version: DataVersion): Promise<ActiveReport> => {
    const config = usageConfig(runtime);
    const refs = rollupRefs(config.login);
    return queryActive(runtime.mongo.collection<LoginDoc>(config.login, "usage"), range, {
      timezone: config.timezone,
      exclude: excludedUsers(config),
      dataThrough: version.dataThrough,
      rollups: {
        periodUsers: runtime.mongo.collection<PeriodUserDoc>(refs.periodUsers, "usage"),
        periodCounts: runtime.mongo.collection<PeriodCountDoc>(refs.periodCounts, "usage"),
      },
    });
  };

  router.getOrPost(
    USAGE_PATH,
    async (ctx) => {
      const config = usageConfig(runtime);
      const form = {
        start: text(rawArgument(ctx, "start")),
        end: text(rawArgument(ctx, "end")),
        aggregate: text(rawArgument(ctx, "aggregate")),
        compare: text(rawArgument(ctx, "compare")),
      };
      let range: ReportRange;
      try {
        range = readRange(ctx, config);
      } catch (error) {
        if (!(error instanceof ReportArgumentError)) throw error;
        const page = renderPage({
          basePath: USAGE_PATH,
          form,
          error: error.message,
          timezone: config.timezone,
        });
        replyHtml(ctx, withConsoleLayout(ctx, page), 400);
        return;
      }
      const args = givenArgs(ctx, ["start", "end", "aggregate", "compare"]);
      const embed = embedSnippet(ctx, runtime, embedLinks, USAGE_PATH, args, "Distinct users logging in");
      const version = await dataVersion();
      const tag = usageTag(ctx, config, version, [range, viewer(ctx, runtime), embed?.expiresAt ?? null]);
      if (freshReply(ctx, tag)) return;
      const html = await rendered.get(tag, async () => {
        const report = await loadReport(range, version);
        const svg = renderChart(report.rows, {
          title: chartTitle(report),
          previousName: previousName(report),
        });
        return renderPage({ basePath: USAGE_PATH, report, svg, form, timezone: config.timezone, embed });
      });
      replyHtml(ctx, withConsoleLayout(ctx, html as string));
    },
    embeddable,
  );

  router.getOrPost(
    `${USAGE_PATH}/raw`,
    async (ctx) => {
      const config = usageConfig(runtime);
      const range = readRange(ctx, config);
      const format = negotiate(ctx, TABLE_FORMATS);
      ctx.vary("Accept");
      const version = await dataVersion();
      if (freshReply(ctx, usageTag(ctx, config, version, [range, format]))) return;
      const report = await loadReport(range, version);
      reply(ctx, report.rows, {
        columns: report.compared ? [...ROW_COLUMNS, ...COMPARE_COLUMNS] : ROW_COLUMNS,
        title: chartTitle(report),
        filename: `usage-login-${report.aggregate}-${report.start}-${report.end}.csv`,
      });
    },
    embeddable,
  );

  router.getOrPost(
    `${USAGE_PATH}/plot`,
    async (ctx) => {
      const config = usageConfig(runtime);
      const width = parseDimension("width", rawArgument(ctx, "width"));
      const height = parseDimension("height", rawArgument(ctx, "height"));
      const format = parseFormat(rawArgument(ctx, "format"));
      const range = readRange(ctx, config);
      const version = await dataVersion();
      const tag = usageTag(ctx, config, version, [range, width, height, format]);
      if (freshReply(ctx, tag)) return;
      const body = await rendered.get(tag, async () => {
        const report = await loadReport(range, version);
        const title = chartTitle(report);
        return chartBody(
          renderChart(report.rows, { title, width, height, previousName: previousName(report) }),
          format,
        );
      });
      sendPlot(ctx, body);
    },
    embeddable,
  );

  router.getOrPost(
    ACTIVE_PATH,
    async (ctx) => {
      const config = usageConfig(runtime);
      const form = { start: text(rawArgument(ctx, "start")), end: text(rawArgument(ctx, "end")) };
      let range: ReportRange;
      try {
        range = readRange(ctx, config, false);
      } catch (error) {
        if (!(error instanceof ReportArgumentError)) throw error;
        const page = renderActivePage({
          basePath: ACTIVE_PATH,
          form,
          error: error.message,
          timezone: config.timezone,
        });
        replyHtml(ctx, withConsoleLayout(ctx, page), 400);
        return;
      }
      const args = givenArgs(ctx, ["start", "end"]);
      const embed = embedSnippet(
        ctx,
        runtime,
        embedLinks,
        ACTIVE_PATH,
        args,
        "Daily, weekly and monthly active users",
      );
      const version = await dataVersion();
      const tag = usageTag(ctx, config, version, [range, viewer(ctx, runtime), embed?.expiresAt ?? null]);
      if (freshReply(ctx, tag)) return;
      const html = await rendered.get(tag, async () => {
        const report = await loadActive(range, version);
        const svg = renderActiveChart(report.rows, { title: activeTitle(report) });
        return renderActivePage({
          basePath: ACTIVE_PATH,
          report,
          svg,
          form,
          timezone: config.timezone,
          embed,
        });
      });
      replyHtml(ctx, withConsoleLayout(ctx, html as string));
    },
    embeddable,
  );

  router.getOrPost(
    `${ACTIVE_PATH}/raw`,
    async (ctx) => {
      const config = usageConfig(runtime);
      const range = readRange(ctx, config, false);
      const format = negotiate(ctx, TABLE_FORMATS);
      ctx.vary("Accept");
      const version = await dataVersion();
      if (freshReply(ctx, usageTag(ctx, config, version, [range, format]))) return;
      const report = await loadActive(range, version);
      reply(ctx, report.rows, {
        columns: ACTIVE_COLUMNS,
        title: activeTitle(report),
        filename: `usage-active-${report.start}-${report.end}.csv`,
      });
    },
    embeddable,
  );

  router.getOrPost(
    `${ACTIVE_PATH}/plot`,
    async (ctx) => {
      const config = usageConfig(runtime);
      const width = parseDimension("width", rawArgument(ctx, "width"));
      const height = parseDimension("height", rawArgument(ctx, "height"));
      const format = parseFormat(rawArgument(ctx, "format"));
      const range = readRange(ctx, config, false);
      const version = await dataVersion();
      const tag = usageTag(ctx, config, version, [range, width, height, format]);
      if (freshReply(ctx, tag)) return;
      const body = await rendered.get(tag, async () => {
        const report = await loadActive(range, version);
        return chartBody(
          renderActiveChart(report.rows, { title: activeTitle(report), width, height }),
          format,
        );
      });
      sendPlot(ctx, body);
    },
    embeddable,
  );
});
