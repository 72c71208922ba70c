import { JOB_NAME, JobNotFoundError } from "../../framework/job/index.js";
import { JOB_LOG_COLUMNS, type JobTypeInfo, RESTARTABLE_STATES } from "../../framework/queue/index.js";
import { JOB_STATES, type JobRecord, type JobState } from "../../framework/run/index.js";
import { HttpError } from "../errors/http-error.js";
import { reply } from "../reply/reply.js";
import { arg } from "../request/arg.js";
import { getArguments } from "../request/get-argument.js";
import type { Core4Router } from "../router/core4-router.js";
import type { Core4Context } from "../router/types.js";
import { JOBS_MANAGE_PERMISSION, JOBS_READ_PERMISSION } from "../routes/job-routes.js";
import { type ConsoleServices, requireQueue, requireTypes } from "./console-services.js";

const BASE = "/core4/api/v1/jobs";
const JOB_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Columns of the job types table (CSV, HTML, text): a count per state, in lifecycle order, as the row has. */
export const JOB_TYPE_COLUMNS = [
  "name",
  "paused",
  ...JOB_STATES,
  "schedule",
  "timezone",
  "next",
  "rateLimit",
  "maxParallel",
  "attempts",
] as const;

/** A job type as one flat row: counts beside the name, so it reads as a table too. */
export function jobTypeRow(info: JobTypeInfo): Record<string, unknown> {
  return {
    name: info.name,
    paused: info.paused,
    ...info.counts,
    schedule: info.schedule?.pattern ?? null,
    timezone: info.schedule?.timezone ?? null,
    next: info.schedule?.next ?? null,
    rateLimit: info.rateLimit,
    maxParallel: info.maxParallel,
    attempts: info.attempts,
    registered: info.registered,
  };
}

function jobName(ctx: Core4Context): string {
  const name = ctx.params.name ?? "";
  if (!JOB_NAME.test(name))
    throw HttpError.badRequest(`"${name}" is not a job name like usage.AggregateLogins`);
  return name;
}

function jobId(ctx: Core4Context): string {
  const id = ctx.params.id ?? "";
  if (!JOB_ID.test(id)) throw HttpError.badRequest(`"${id}" is not a job id`);
  return id;
}

/** The result of restarting every job of a type in a state. */
export interface BulkRestart {
  name: string;
  state: JobState;
  restarted: string[];
  failed: { id: string; error: string }[];
}

/**
 * The console's API routes (docs/contracts.md "HTTP"): `GET jobs/types`, `GET jobs/types/:name`,
 * `POST jobs/types/:name/pause|resume|restart`, `GET jobs/:id/log`, and `POST jobs/:id/remove` (for forms,
 * which cannot send DELETE). Registered before the jobs API so that `jobs/types` is not read as a job id.
 */
export function registerJobTypeRoutes(router: Core4Router, services: ConsoleServices): void {
  const read = { perm: JOBS_READ_PERMISSION };
  const manage = { perm: JOBS_MANAGE_PERMISSION };

  router.get(
    `${BASE}/types`,
    async (ctx) => {
      const types = await requireTypes(services).list();
      reply(ctx, types.map(jobTypeRow), { columns: JOB_TYPE_COLUMNS, title: "job types" });
    },
    read,
  );

  router.get(
    `${BASE}/types/:name`,
    async (ctx) => reply(ctx, jobTypeRow(await requireTypes(services).get(jobName(ctx)))),
    read,
  );

  for (const action of ["pause", "resume"] as const) {
    router.post(
      `${BASE}/types/:name/${action}`,
      async (ctx) => {
        const name = jobName(ctx);
        const info = await requireTypes(services)[action](name);
        ctx.state.logger.info(`job type ${name} ${action === "pause" ? "paused" : "resumed"}`, {
          qual_name: name,
        });
        reply(ctx, jobTypeRow(info));
      },
      manage,
    );
  }

  router.post(
    `${BASE}/types/:name/restart`,
    async (ctx) => {
      const name = jobName(ctx);
      const { state } = getArguments(ctx, { state: arg.choice(RESTARTABLE_STATES).default("error") });
      const queue = requireQueue(services);
      await requireTypes(services).get(name);
      const jobs = await queue.list({ name, state, limit: 10_000 });
      const result: BulkRestart = { name, state, restarted: [], failed: [] };
      for (const job of jobs) {
        try {
          await queue.restart(job.id);
          result.restarted.push(job.id);
        } catch (error) {
          result.failed.push({ id: job.id, error: error instanceof Error ? error.message : String(error) });
        }
      }
      ctx.state.logger.info(`restarted ${result.restarted.length} ${state} jobs of ${name}`, {
        qual_name: name,
        failed: result.failed.length,
      });
      reply(ctx, result);
    },
    manage,
  );

  router.get(
    `${BASE}/:id/log`,
    async (ctx) => {
      const id = jobId(ctx);
      const { after, limit } = getArguments(ctx, {
        after: arg.date().optional(),
        limit: arg.int({ min: 1, max: 10_000 }).optional(),
      });
      const page = await services.log.read(id, { after, limit: limit ?? 1_000 });
      if (page.records.length === 0 && !after) await exists(services, id);
      reply(ctx, page.records, { columns: JOB_LOG_COLUMNS, title: `log of job ${id}` });
    },
    read,
  );

  router.post(
    `${BASE}/:id/remove`,
    async (ctx) => {
      const id = jobId(ctx);
      await requireQueue(services).remove(id);
      reply(ctx, { removed: id });
    },
    manage,
  );
}

/** 404 for a job id neither in Redis nor in the journal. */
async function exists(services: ConsoleServices, id: string): Promise<JobRecord | undefined> {
  if (services.queue) return (services.queue as NonNullable<typeof services.queue>).get(id);
  const run = await services.journal.findOne({ job_id: id }, { projection: { _id: 1 } });
  if (!run) throw new JobNotFoundError(`no job with id ${id}`);
  return undefined;
}
