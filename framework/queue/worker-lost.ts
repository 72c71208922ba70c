import type { JobRecord } from "../run/index.js";
import type { RedisClient } from "./redis-connection.js";

/** The message of a job whose worker died (docs/jobs.md "Worker pools"). */
export const WORKER_LOST = "worker lost: waiting to be taken back by another worker";

/**
 * Marks the records of active jobs whose worker's lock is gone (the worker died: kill -9, host lost): BullMQ
 * still lists them as active until a stalled check takes them back, but nothing runs them, so they show as
 * pending with `workerLost` instead of running with frozen progress. One EXISTS per job, pipelined (the lock
 * keys of one queue share its hash tag, so this works on a Redis Cluster too).
 */
export async function markLostWorkers(
  connection: RedisClient,
  lockKeyOf: (id: string) => string,
  records: JobRecord[],
): Promise<JobRecord[]> {
  const active = records.filter((r) => r.state === "running");
  if (active.length === 0) return records;
  const pipeline = connection.pipeline();
  for (const record of active) pipeline.exists(lockKeyOf(record.id));
  const replies = (await pipeline.exec()) ?? [];
  const lost = new Set(active.filter((_, i) => replies[i]?.[1] === 0).map((r) => r.id));
  if (lost.size === 0) return records;
  return records.map((r) =>
    lost.has(r.id) ? { ...r, state: "pending", workerLost: true, error: WORKER_LOST, finished: null } : r,
  );
}
