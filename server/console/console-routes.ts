import type { Filter } from "mongodb";
import { JOB_NAME } from "../../framework/job/index.js";
import type { Plugin } from "../../framework/plugin.js";
import { JOB_STATES, type JobState, type JournalEntry } from "../../framework/run/index.js";
import type { AppServices } from "../app/types.js";
import { hasPermission } from "../auth/permissions.js";
import { HttpError } from "../errors/http-error.js";
import { replyHtml } from "../reply/reply.js";
import { arg } from "../request/arg.js";
import { getArguments } from "../request/get-argument.js";
import type { Core4Router } from "../router/core4-router.js";
import type { Core4Context } from "../router/types.js";
import { JOBS_MANAGE_PERMISSION, JOBS_READ_PERMISSION } from "../routes/job-routes.js";
import type { JobsApi } from "../routes/jobs-api.js";
import { type ConsoleServices, consoleServices } from "./console-services.js";
import { homePageBody } from "./home-page.js";
import { jobPageBody } from "./job-page.js";
import { registerJobTypeRoutes } from "./job-type-routes.js";
import { type JobsPageQuery, jobsPageBody, jobsUrl } from "./jobs-page.js";
import { consolePage, navigationPages } from "./layout.js";
import { CONSOLE_HOME, CONSOLE_JOBS } from "./paths.js";
import { registerStaticAssets } from "./static-assets.js";

const JOB_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const RUNS_SHOWN = 100;
const LOG_SHOWN = 500;
// The queue list pages through BullMQ's sets; deeper history is the journal's (keyset-paged).
const MAX_QUEUE_PAGE = 20;

/** Options of {@link registerConsole}. */
export interface ConsoleOptions {
  queue: JobsApi | undefined;
  plugins: readonly Plugin<unknown, unknown>[];
}

function canManage(ctx: Core4Context): boolean {
  return ctx.state.user !== undefined && hasPermission(ctx.state.user, JOBS_MANAGE_PERMISSION);
}

/** Parses a run-history cursor `<finished ms>.<run id>`; 400 for anything else. */
function parseCursor(cursor: string): { finished: Date; id: string } {
  const dot = cursor.indexOf(".");
  const ms = Number(cursor.slice(0, dot));
  const id = cursor.slice(dot + 1);
  if (dot < 1 || !Number.isSafeInteger(ms) || id.length === 0 || id.length > 300)
    throw HttpError.badRequest(`argument "before": "${cursor.slice(0, 80)}" is not a run-history cursor`);
  return { finished: new Date(ms), id };
}

// Windows (back from the cursor) the run history is read in, widening until a page is full; the last is
// unbounded. A bounded range on `finished` keeps every read an index range scan of about one page, on any
// MongoDB, instead of sorting every matching entry.
const HISTORY_WINDOWS_MS = [600_000, 7_200_000, 86_400_000, 10 * 86_400_000, Number.POSITIVE_INFINITY];
// Entries finished in the same millisecond as the cursor are read again to skip those already shown.
const TIE_SLACK = 50;

/** A page of the run history, newest first, through the `{finished: -1, _id: -1}` indexes. */
async function runHistory(
  services: ConsoleServices,
  query: JobsPageQuery,
): Promise<{ runs: JournalEntry[]; next: string | undefined }> {
  const cursor = query.before ? parseCursor(query.before) : undefined;
  // The newest page has no upper bound: entries a worker with a fast clock stamped ahead are shown too.
  const from = cursor?.finished.getTime() ?? Date.now();
  const wanted = query.size + 1;
  let found: JournalEntry[] = [];
  for (const window of HISTORY_WINDOWS_MS) {
    const finished: { $lte?: Date; $gt?: Date } = {};
    if (cursor) finished.$lte = cursor.finished;
    if (Number.isFinite(window)) finished.$gt = new Date(from - window);
    const filter: Filter<JournalEntry> = Object.keys(finished).length ? { finished } : {};
    if (query.name) filter.name = query.name;
    if (query.state) filter.state = query.state;
    const docs = await services.journal
      .find(filter, { sort: { finished: -1, _id: -1 }, limit: wanted + (cursor ? TIE_SLACK : 0) })
      .toArray();
    found = cursor ? docs.filter((d) => (d.finished?.getTime() ?? 0) < from || d._id < cursor.id) : docs;
    if (found.length >= wanted) break;
  }
  const runs = found.slice(0, query.size);
  const last = runs.at(-1);
  const next =
    found.length > query.size && last?.finished ? `${last.finished.getTime()}.${last._id}` : undefined;
  return { runs, next };
}

/**
 * The operator console (docs/contracts.md "HTTP" Console): `/` → `/core4`, the home page, `/core4/jobs`,
 * `/core4/jobs/:id`, the static CSS and JavaScript, and the API routes the console's forms post to.
 * Register it before the jobs API (its `jobs/types` routes would otherwise be read as job ids).
 *
 * @returns the console's services, to close with the app.
 */
export function registerConsole(
  router: Core4Router,
  app: AppServices,
  options: ConsoleOptions,
): ConsoleServices {
  const services = consoleServices(app.runtime, options.queue, options.plugins);
  registerStaticAssets(router);
  registerJobTypeRoutes(router, services);

  router.get(
    "/",
    (ctx) => {
      ctx.status = 302;
      ctx.redirect(CONSOLE_HOME);
    },
    { public: true },
  );

  router.get(
    CONSOLE_HOME,
    (ctx) => {
      const user = ctx.state.user?.name ?? "";
      replyHtml(ctx, consolePage(ctx, { title: "Home", body: homePageBody(user, navigationPages(ctx)) }));
    },
    { perm: null },
  );

  router.page(CONSOLE_JOBS, "Jobs", { perm: JOBS_READ_PERMISSION });
  router.get(
    CONSOLE_JOBS,
    async (ctx) => {
      const args = getArguments(ctx, {
        state: arg.choice(JOB_STATES as [JobState, ...JobState[]]).optional(),
        name: arg.string().max(200).optional(),
        page: arg.int({ min: 1, max: MAX_QUEUE_PAGE }).default(1),
        size: arg.int({ min: 1, max: 200 }).default(50),
        before: arg.string().max(400).optional(),
      });
      if (args.name && !JOB_NAME.test(args.name))
        throw HttpError.badRequest('argument "name": expected a job name like usage.AggregateLogins');
      const query: JobsPageQuery = {
        state: args.state,
        name: args.name || undefined,
        page: args.page,
        size: args.size,
        before: args.before || undefined,
      };
      const skip = (query.page - 1) * query.size;
      const [types, history] = await Promise.all([
        services.types ? (services.types as NonNullable<typeof services.types>).list() : undefined,
        runHistory(services, query),
      ]);
      // Only a known type's queue is read: a made-up name must not make the server open a queue for it.
      const known = !query.name || types === undefined || types.some((t) => t.name === query.name);
      const listed =
        services.queue && known
          ? await (services.queue as JobsApi).list({
              state: query.state,
              name: query.name,
              limit: skip + query.size + 1,
            })
          : [];
      const body = jobsPageBody({
        query,
        types,
        jobs: listed.slice(skip, skip + query.size),
        moreJobs: listed.length > skip + query.size,
        runs: history.runs,
        nextRuns: history.next,
        canManage: canManage(ctx),
        self: jobsUrl(query),
      });
      replyHtml(ctx, consolePage(ctx, { title: "Jobs", body }));
    },
    { perm: JOBS_READ_PERMISSION },
  );

  router.get(
    `${CONSOLE_JOBS}/:id`,
    async (ctx) => {
      const id = ctx.params.id ?? "";
      if (!JOB_ID.test(id)) throw HttpError.badRequest(`"${id}" is not a job id`);
      const queue = services.queue;
      const [job, runs, log] = await Promise.all([
        queue
          ? queue.get(id)
          : services.journal.findOne({ job_id: id }, { sort: { finished: -1 } }).then((entry) => {
              if (!entry) throw HttpError.notFound(`no job with id ${id}`);
              const { _id, job_id, hostname, pid, inline, recovered, ...record } = entry;
              return { id: job_id, ...record };
            }),
        services.journal.find({ job_id: id }, { sort: { finished: -1 }, limit: RUNS_SHOWN + 1 }).toArray(),
        services.log.read(id, { limit: LOG_SHOWN + 1 }),
      ]);
      const body = jobPageBody({
        job,
        runs: runs.slice(0, RUNS_SHOWN),
        moreRuns: runs.length > RUNS_SHOWN,
        log: log.records.slice(0, LOG_SHOWN),
        moreLog: log.records.length > LOG_SHOWN,
        canManage: canManage(ctx),
      });
      const refresh = job.state === "running" || job.state === "pending" ? 3 : undefined;
      replyHtml(ctx, consolePage(ctx, { title: `${job.name} ${job.id}`, body, refresh }));
    },
    { perm: JOBS_READ_PERMISSION },
  );

  return services;
}
