import type { RedisClient as Redis } from "./redis-connection.js";

/** The last slot a scheduler handled for a job type. */
export interface LastScheduledRun {
  /** The slot's time. */
  slot: Date;
  /** The job it enqueued; null when it skipped the slot. */
  id: string | null;
  /** Whether a job was enqueued or the slot skipped (`overlap: skip` and a run still pending or running). */
  outcome: "enqueued" | "skipped";
  /** Why it was skipped. */
  reason: string | null;
}

/** What Redis keeps of one job type's schedule. */
export interface ScheduleState {
  /** Time (epoch ms) through which slots have been handled. */
  checked: number;
  /** Pattern and time zone the state belongs to: a changed schedule starts afresh. */
  fingerprint: string;
  /** The last slot handled, if any. */
  last: LastScheduledRun | null;
}

// Sets the handled-through time only when no other scheduler moved it since it was read.
const CLAIM = `
local current = redis.call("HGET", KEYS[1], "checked")
if (current or "") ~= ARGV[1] then return 0 end
redis.call("HSET", KEYS[1], "checked", ARGV[2], "fingerprint", ARGV[3])
return 1`;

/**
 * The schedules' state in Redis, one hash per job type beside its queue (`<prefix>:{<job>}:core4.schedule`,
 * in the queue's hash tag, so one Redis Cluster slot), shared by every scheduler process.
 */
export class ScheduleStore {
  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  /** The state of a job type's schedule, undefined before any scheduler handled it. */
  async read(jobName: string): Promise<ScheduleState | undefined> {
    const hash = await this.connection.hgetall(this.key(jobName));
    if (!hash.checked) return undefined;
    let last: LastScheduledRun | null = null;
    if (hash.last) {
      const parsed = JSON.parse(hash.last) as Omit<LastScheduledRun, "slot"> & { slot: string };
      last = { ...parsed, slot: new Date(parsed.slot) };
    }
    return { checked: Number(hash.checked), fingerprint: hash.fingerprint ?? "", last };
  }

  /**
   * Moves the handled-through time from `expected` (undefined: never set) to `next.checked`; false when
   * another scheduler moved it first (then that one enqueues the slots).
   */
  async claim(
    jobName: string,
    expected: number | undefined,
    next: { checked: number; fingerprint: string },
  ): Promise<boolean> {
    const done = await this.connection.eval(
      CLAIM,
      1,
      this.key(jobName),
      expected === undefined ? "" : String(expected),
      String(next.checked),
      next.fingerprint,
    );
    return done === 1;
  }

  /** Records the last slot handled. */
  async recordLast(jobName: string, last: LastScheduledRun): Promise<void> {
    await this.connection.hset(this.key(jobName), "last", JSON.stringify(last));
  }

  private key(jobName: string): string {
    return `${this.prefix}:{${jobName}}:core4.schedule`;
  }
}
