/**
 * Redis naming. Every job type has its own BullMQ queue, named after the job inside a `{…}` hash tag, so
 * that all keys of one queue land in one Redis Cluster slot (`core4:{usage.AggregateLogins}:wait`) while
 * different job types spread over the cluster. Keys and channels of no one job type carry the `{core4}` tag
 * ({@link globalKey}): no command of core4ts crosses slots (docs/contracts.md "Scale-out").
 */

/** Hash tag of the keys that belong to no one job type. */
export const GLOBAL_TAG = "{core4}";

/** A key (or channel) of no one job type: `<prefix>:{core4}:<name>`. */
export function globalKey(prefix: string, name: string): string {
  return `${prefix}:${GLOBAL_TAG}:${name}`;
}

/** The BullMQ queue name of a job type. */
export function queueNameOf(jobName: string): string {
  return `{${jobName}}`;
}

/** The job name of a BullMQ queue name (inverse of {@link queueNameOf}). */
export function jobNameOfQueue(queueName: string): string {
  return queueName.startsWith("{") && queueName.endsWith("}") ? queueName.slice(1, -1) : queueName;
}

/** Set of the job names that ever had a queue, so listings find jobs of types this process does not run. */
export function knownQueuesKey(prefix: string): string {
  return globalKey(prefix, "known-jobs");
}

/** Pub/sub channel on which kill requests reach every worker. */
export function killChannel(prefix: string): string {
  return globalKey(prefix, "kill");
}

/**
 * Marker of a kill request for a running job, kept a day: a job recovered from a dead worker checks it
 * before running again, since the kill's broadcast reached no one.
 */
export function killedKey(prefix: string, jobId: string): string {
  return globalKey(prefix, `killed:${jobId}`);
}
