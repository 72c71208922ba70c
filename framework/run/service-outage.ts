import { isUnreachable } from "../mongo/index.js";

// What ioredis and BullMQ raise while Redis (or a cluster node) cannot be reached.
const REDIS_UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|Connection is closed|Stream isn't writeable|CLUSTERDOWN|ClusterAllFailedError|MaxRetriesPerRequestError|Reached the max retries per request limit|None of startup nodes is available/;

/** Longest wait before a run deferred by an outage is tried again (its `deferTime` when that is shorter). */
export const OUTAGE_RETRY_MS = 10_000;

/**
 * Whether a run failed only because MongoDB or Redis could not be reached (docs/contracts.md "Scale-out"):
 * a driver network or server-selection error, a retryable write error, or an ioredis connection error,
 * also as the `cause` of the error the job threw. Such a run is deferred (no attempt used), not failed.
 */
export function isServiceOutage(error: unknown): boolean {
  for (let current = error, depth = 0; current != null && depth < 5; depth++) {
    if (isMongoOutage(current)) return true;
    if (
      current instanceof Error &&
      (REDIS_UNREACHABLE.test(current.message) || REDIS_UNREACHABLE.test(current.name))
    )
      return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}

function isMongoOutage(error: unknown): boolean {
  // isUnreachable also counts errors of a closed registry; a job sees those only when its worker shuts down.
  return error instanceof Error && error.name.startsWith("Mongo") && isUnreachable(error);
}
