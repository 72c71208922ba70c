import type { Queue } from "bullmq";
import type { JobSettings } from "../job/index.js";

/**
 * Applies a job type's `rateLimit` to its queue as BullMQ's global rate limit: the limit lives in the
 * queue's metadata in Redis and every worker of the type, on any host, obeys it when it fetches a job, so
 * it holds across the whole pool (docs/contracts.md "Jobs: metadata and policies"). BullMQ counts starts
 * in a window of `duration` that opens at the first start after the previous window closed. Without a
 * `rateLimit` an earlier limit is removed.
 */
export async function applyRateLimit(queue: Queue, settings: Pick<JobSettings, "rateLimit">): Promise<void> {
  const limit = settings.rateLimit;
  if (limit) await queue.setGlobalRateLimit(limit.max, Math.round(limit.duration * 1000));
  else await queue.removeGlobalRateLimit();
}
