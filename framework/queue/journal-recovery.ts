import { Job, type Queue } from "bullmq";
import { type Collection, MongoBulkWriteError } from "mongodb";
import type { JobLogger } from "../job/index.js";
import { isDuplicateKeyError } from "../mongo/index.js";
import { type JournalEntry, journalRunId } from "../run/index.js";
import { coreState, type QueueJob, recordOf } from "./job-view.js";
import type { RedisClient } from "./redis-connection.js";

/** Tuning of a {@link JournalRecovery}. */
export interface JournalRecoveryOptions {
  /**
   * Only runs that finished at least this long ago are checked: a live worker writes its entries within
   * 250 ms (longer only while MongoDB is down, and then the run id keeps the entry single). Default 30 s.
   */
  settleMs?: number;
  /** Queue names of job types journaled with `journal: failures`: their completed runs are not recovered. */
  failuresOnly?: ReadonlySet<string>;
}

/** The finished sets of BullMQ a journal entry is recovered from. */
const FINISHED_SETS = ["completed", "failed"] as const;

/**
 * Writes the journal entries of finished runs that BullMQ still holds but `sys.journal` does not: the run's
 * worker was killed with -9 inside its 250 ms write delay, or BullMQ failed the job for stalling (its workers
 * kept dying) and no worker ever ran its end. The entry is built from BullMQ's record (`recovered: true`).
 *
 * Each sweep reads the ids of the finished sets by finish time since the last sweep (with an overlap), the
 * run ids of those jobs, and which of them the journal has: two reads of Redis and one of MongoDB per queue,
 * whatever the rate of jobs. Retention bounds what can be recovered: what BullMQ removed is gone.
 */
export class JournalRecovery {
  /** Finish time (ms) up to which every queue has been checked. */
  private checkedUntil = 0;
  private readonly settleMs: number;
  private readonly failuresOnly: ReadonlySet<string>;

  constructor(
    private readonly queues: readonly Queue[],
    private readonly connection: RedisClient,
    private readonly journal: Collection<JournalEntry>,
    private readonly logger: JobLogger,
    options: JournalRecoveryOptions = {},
  ) {
    this.settleMs = options.settleMs ?? 30_000;
    this.failuresOnly = options.failuresOnly ?? new Set();
  }

  /** Checks the runs finished since the last sweep; resolves with the number of entries written. */
  async sweep(now = Date.now()): Promise<number> {
    const until = now - this.settleMs;
    // Workers stamp finish times with their own clocks: look back one settle period again for stragglers.
    const from = Math.max(0, this.checkedUntil - this.settleMs);
    let written = 0;
    for (const queue of this.queues) {
      for (const set of FINISHED_SETS) {
        if (set === "completed" && this.failuresOnly.has(queue.name)) continue;
        written += await this.recover(queue, set, from, until);
      }
    }
    this.checkedUntil = until;
    if (written > 0) this.logger.warn("job journal entries recovered from BullMQ", { entries: written });
    return written;
  }

  private async recover(
    queue: Queue,
    set: (typeof FINISHED_SETS)[number],
    from: number,
    until: number,
  ): Promise<number> {
    const ids = await this.connection.zrangebyscore(queue.keys[set] as string, from, until);
    if (ids.length === 0) return 0;
    const fields = this.connection.pipeline();
    for (const id of ids) fields.hmget(queue.toKey(id), "timestamp", "ats");
    const replies = (await fields.exec()) ?? [];
    const runIds = new Map<string, string>();
    replies.forEach(([error, value], i) => {
      const [timestamp, started] = (value ?? []) as (string | null)[];
      if (error || !timestamp) return; // removed since the range was read
      const id = ids[i] as string;
      runIds.set(journalRunId(id, new Date(Number(timestamp)), Number(started ?? 0)), id);
    });
    const present = await this.journal
      .find({ _id: { $in: [...runIds.keys()] } }, { projection: { _id: 1 } })
      .toArray();
    for (const entry of present) runIds.delete(entry._id);
    const entries: JournalEntry[] = [];
    for (const [runId, id] of runIds) {
      const job = (await Job.fromId(queue, id)) as QueueJob | undefined;
      if (job) entries.push(recoveredEntry(runId, job, set));
    }
    if (entries.length === 0) return 0;
    // Unordered: an entry a late worker or another pool's sweep wrote meanwhile is a duplicate, not a loss.
    try {
      return (await this.journal.insertMany(entries, { ordered: false })).insertedCount;
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError && isDuplicateKeyError(error))) throw error;
      return error.insertedCount;
    }
  }
}

/** The journal entry of a finished BullMQ job's last run, from what BullMQ recorded. */
function recoveredEntry(runId: string, job: QueueJob, set: "completed" | "failed"): JournalEntry {
  const { id, ...record } = recordOf(job, coreState(job, set) ?? "error");
  return { _id: runId, job_id: id, ...record, hostname: "", pid: 0, inline: false, recovered: true };
}
