import { z } from "zod";
import {
  JOB_STATES,
  JobArgumentError,
  JobExistsError,
  JobNotFoundError,
  JobStateError,
  UnknownJobError,
} from "../../framework/job/index.js";
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
const JOB_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Translates the job framework's errors into HTTP replies with their one-line message. */
export async function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof JobArgumentError) throw HttpError.badRequest(error.message);
    if (error instanceof UnknownJobError || error instanceof JobNotFoundError)
      throw HttpError.notFound(error.message);
    if (error instanceof JobExistsError) throw HttpError.conflict(error.message);
    if (error instanceof JobStateError) throw HttpError.conflict(error.message);
    throw error;
  }
}

function jobId(ctx: Core4Context): string {
  const id = ctx.params.id ?? "";
  if (!JOB_ID.test(id)) throw HttpError.badRequest(`"${id}" is not a job id`);
  return id;
}

/**
 * The jobs API under `/core4/api/v1/jobs`: list (`state`, `name`, `limit`), enqueue (`name`, `args`),
 * detail, kill, restart, remove. Without a queue (no Redis) every route answers 503.
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
        const records = await call(() =>
          jobs().list({ state: state as (typeof JOB_STATES)[number] | undefined, name, limit }),
        );
        reply(ctx, records, { title: "jobs" });
      },
      read,
    );

    router.post(
      BASE,
      async (ctx) => {
        const { name, args } = getArguments(ctx, {
          name: arg.string().min(1, { error: "expected a job name like usage.AggregateLogins" }),
          args: arg
            .json(z.record(z.string(), z.unknown(), { error: "expected an object of job arguments" }))
            .optional(),
        });
        const record = await call(() => jobs().enqueue(name, args ?? {}));
        ctx.state.logger.info(`enqueued ${record.name} as ${record.id}`, { job_id: record.id });
        reply(ctx, record, { status: 201 });
      },
      manage,
    );

    router.get(`${BASE}/:id`, async (ctx) => reply(ctx, await call(() => jobs().get(jobId(ctx)))), read);

    router.post(
      `${BASE}/:id/kill`,
      async (ctx) => reply(ctx, await call(() => jobs().kill(jobId(ctx)))),
      manage,
    );

    router.post(
      `${BASE}/:id/restart`,
      async (ctx) => reply(ctx, await call(() => jobs().restart(jobId(ctx)))),
      manage,
    );

    router.delete(
      `${BASE}/:id`,
      async (ctx) => {
        const id = jobId(ctx);
        await call(() => jobs().remove(id));
        reply(ctx, { removed: id });
      },
      manage,
    );
  };
}
