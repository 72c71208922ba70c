import { z } from "zod";
import { type EnqueueOptions, type EnqueueResult, parseAt, parseDelay } from "../../framework/queue/index.js";
import { JOB_STATES, type JobState } from "../../framework/run/index.js";
import type { AppServices } from "../app/types.js";
import { HttpError } from "../errors/http-error.js";
import { reply } from "../reply/reply.js";
import { arg } from "../request/arg.js";
import { getArguments } from "../request/get-argument.js";
import type { Core4Router } from "../router/core4-router.js";
import type { Core4Context } from "../router/types.js";
import type { JobsApi } from "./jobs-api.js";

/** Permission to list and read jobs. */
export const JOBS_READ_PERMISSION = "api://core4/jobs/read";
/** Permission to enqueue, kill, restart and remove jobs. */
export const JOBS_MANAGE_PERMISSION = "api://core4/jobs/manage";

const BASE = "/core4/api/v1/jobs";
const SCHEDULES = "/core4/api/v1/schedules";
/** Most items one bulk enqueue takes. */
const MAX_BULK_ITEMS = 10_000;

const optionShape = {
  delay: z.union([z.number(), z.string()]).optional(),
  at: z.string().optional(),
  priority: z
    .number({ error: "expected a whole number" })
    .int({ error: "expected a whole number" })
    .optional(),
  attempts: z
    .number({ error: "expected a whole number" })
    .int({ error: "expected a whole number" })
    .optional(),
};

/** One item of a bulk enqueue (`POST jobs` with an array). */
const bulkItem = z.strictObject({
  name: z.string({ error: "expected a job name like usage.AggregateLogins" }).min(1),
  args: z.record(z.string(), z.unknown(), { error: "expected an object of job arguments" }).optional(),
  ...optionShape,
});

/** Enqueue options from raw request values; a bad one is a 400 naming it. */
function enqueueOptions(raw: {
  delay?: unknown;
  at?: unknown;
  priority?: number;
  attempts?: number;
}): EnqueueOptions {
  const options: EnqueueOptions = {};
  if (raw.delay !== undefined) options.delay = parseDelay(raw.delay);
  if (raw.at !== undefined) options.at = parseAt(raw.at);
  if (raw.priority !== undefined) options.priority = raw.priority;
  if (raw.attempts !== undefined) options.attempts = raw.attempts;
  return options;
}
const JOB_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * A bulk enqueue: every item is checked first (a bad one is a 400 naming its index, and nothing is queued);
 * items of one name and options go to Redis together. Results keep the items' order and indexes.
 */
async function enqueueBulk(api: JobsApi, body: unknown[]): Promise<EnqueueResult[]> {
  if (body.length === 0) throw HttpError.badRequest("the array of jobs to enqueue is empty");
  if (body.length > MAX_BULK_ITEMS) {
    throw HttpError.badRequest(`at most ${MAX_BULK_ITEMS} jobs per request, got ${body.length}`);
  }
  const groups = new Map<
    string,
    { name: string; options: EnqueueOptions; items: { index: number; args: Record<string, unknown> }[] }
  >();
  body.forEach((raw, index) => {
    const parsed = bulkItem.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `.${issue.path.join(".")}` : "";
      throw HttpError.badRequest(`item ${index}${where}: ${issue?.message ?? "invalid"}`);
    }
    const { name, args, ...raws } = parsed.data;
    let options: EnqueueOptions;
    try {
      options = enqueueOptions(raws);
    } catch (error) {
      throw HttpError.badRequest(`item ${index}: ${(error as Error).message}`);
    }
    const key = JSON.stringify([name, options]);
    const group = groups.get(key) ?? { name, options, items: [] };
    groups.set(key, group);
    group.items.push({ index, args: args ?? {} });
  });
  // An empty call checks a name and its options without queueing anything: all of them before any item.
  for (const group of groups.values()) await api.enqueueMany(group.name, [], group.options);
  const results: EnqueueResult[] = new Array(body.length);
  for (const group of groups.values()) {
    const outcome = await api.enqueueMany(
      group.name,
      group.items.map((i) => i.args),
      group.options,
    );
    outcome.forEach((result, i) => {
      const index = (group.items[i] as { index: number }).index;
      results[index] = { ...result, index };
    });
  }
  return results;
}

function jobId(ctx: Core4Context): string {
  const id = ctx.params.id ?? "";
  if (!JOB_ID.test(id)) throw HttpError.badRequest(`"${id}" is not a job id`);
  return id;
}

/**
 * The jobs API under `/core4/api/v1/jobs`: list (`state`, `name`, `limit`), enqueue (`name`, `args`, and the
 * options `delay`, `at`, `priority`, `attempts`; an array of such objects for bulk), detail, kill, restart,
 * remove, bulk `restart`/`remove` (`name`, `state`), and `/core4/api/v1/schedules`. Without a queue (no
 * Redis) every route answers 503.
 *
 * @param queue The queue facade (`JobQueue`), undefined when the server runs without Redis.
 */
export function jobRoutes(queue: JobsApi | undefined) {
  return (router: Core4Router, _services: AppServices): void => {
    const jobs = (): JobsApi => {
      if (!queue)
        throw new HttpError(
          503,
          "the jobs API needs Redis: set CORE4_REDIS_URL or run coco serve with services",
        );
      return queue;
    };
    const read = { perm: JOBS_READ_PERMISSION };
    const manage = { perm: JOBS_MANAGE_PERMISSION };

    router.get(
      BASE,
      async (ctx) => {
        const { state, name, limit } = getArguments(ctx, {
          state: arg.choice(JOB_STATES as [string, ...string[]]).optional(),
          name: arg.string().min(1).optional(),
          limit: arg.int({ min: 1, max: 10_000 }).optional(),
        });
        const records = await jobs().list({
          state: state as (typeof JOB_STATES)[number] | undefined,
          name,
          limit,
        });
        reply(ctx, records, { title: "jobs" });
      },
      read,
    );

    router.post(
      BASE,
      async (ctx) => {
        const body: unknown = ctx.request.body;
        if (Array.isArray(body)) {
          const results = await enqueueBulk(jobs(), body);
          const ids = results.filter((r) => "id" in r).length;
          ctx.state.logger.info(`enqueued ${ids} of ${results.length} jobs`);
          reply(ctx, results, { status: ids > 0 ? 201 : 200 });
          return;
        }
        const { name, args, delay, at, priority, attempts } = getArguments(ctx, {
          name: arg.string().min(1, { error: "expected a job name like usage.AggregateLogins" }),
          args: arg
            .json(z.record(z.string(), z.unknown(), { error: "expected an object of job arguments" }))
            .optional(),
          delay: arg.string().optional().or(z.number()),
          at: arg.string().optional(),
          priority: arg.int({ min: 0 }).optional(),
          attempts: arg.int({ min: 1 }).optional(),
        });
        const record = await jobs().enqueue(
          name,
          args ?? {},
          enqueueOptions({ delay, at, priority, attempts }),
        );
        ctx.state.logger.info(`enqueued ${record.name} as ${record.id}`, { job_id: record.id });
        reply(ctx, record, { status: 201 });
      },
      manage,
    );

    // Bulk redrive: every job of a name in a state.
    for (const action of ["restart", "remove"] as const) {
      router.post(
        `${BASE}/${action}`,
        async (ctx) => {
          const { name, state } = getArguments(ctx, {
            name: arg.string().min(1, { error: "expected a job name like usage.AggregateLogins" }),
            state: arg.choice(JOB_STATES as [string, ...string[]]),
          });
          const selection = { name, state: state as JobState };
          const outcome = await (action === "restart"
            ? jobs().restartMatching(selection)
            : jobs().removeMatching(selection));
          ctx.state.logger.info(`${action}: ${outcome.done} of ${outcome.matched} ${name} jobs in ${state}`);
          reply(ctx, outcome);
        },
        manage,
      );
    }

    router.get(SCHEDULES, async (ctx) => reply(ctx, await jobs().schedules(), { title: "schedules" }), read);

    router.get(`${BASE}/:id`, async (ctx) => reply(ctx, await jobs().get(jobId(ctx))), read);

    router.post(`${BASE}/:id/kill`, async (ctx) => reply(ctx, await jobs().kill(jobId(ctx))), manage);

    router.post(`${BASE}/:id/restart`, async (ctx) => reply(ctx, await jobs().restart(jobId(ctx))), manage);

    router.delete(
      `${BASE}/:id`,
      async (ctx) => {
        const id = jobId(ctx);
        await jobs().remove(id);
        reply(ctx, { removed: id });
      },
      manage,
    );
  };
}
