import type { AnyBulkWriteOperation, Collection } from "mongodb";
import type { CookieDocument } from "./cookie.js";
import type { JournalEntry } from "./job-record.js";
import type { JobLogger } from "./job-runtime.js";

/**
 * Writes finished runs to `sys.journal` and `last_runtime` to `sys.cookie` behind the run: entries that
 * arrive within `delayMs` (or while a write is in flight) share one write, so a busy worker makes one
 * MongoDB round trip per batch instead of one per job. {@link flush} waits for everything queued so far
 * (the worker pool flushes on close); a crash loses at most the last `delayMs` (250 ms) of entries.
 */
export class JournalWriter {
  private entries: JournalEntry[] = [];
  private lastRuntimes = new Map<string, Date>();
  private inFlight: Promise<void> | undefined;
  private scheduled = false;
  private dropped = 0;

  constructor(
    private readonly journal: Collection<JournalEntry>,
    private readonly cookies: Collection<CookieDocument>,
    private readonly logger: JobLogger,
    private readonly maxBatch = 1_000,
    /** Milliseconds entries may wait to share a write (0: the next tick). */
    private readonly delayMs = 250,
  ) {}

  /** Queues one finished run. */
  add(entry: JournalEntry): void {
    this.entries.push(entry);
    this.schedule();
  }

  /** Queues `last_runtime` of a job type (only the latest per type is written). */
  touchLastRuntime(jobName: string, at: Date): void {
    const previous = this.lastRuntimes.get(jobName);
    if (!previous || previous < at) this.lastRuntimes.set(jobName, at);
    this.schedule();
  }

  /** Entries given up on because MongoDB failed them. */
  get droppedEntries(): number {
    return this.dropped;
  }

  /** Resolves when everything queued before the call is written (or given up on and logged). */
  async flush(): Promise<void> {
    while (this.inFlight || this.entries.length > 0 || this.lastRuntimes.size > 0) {
      if (this.inFlight) await this.inFlight;
      else await this.writeBatch();
    }
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    // Runs finishing within the delay share a write: one round trip per batch, not per job.
    const write = (): void => {
      this.scheduled = false;
      if (!this.inFlight) void this.writeBatch();
    };
    if (this.delayMs > 0 && this.entries.length < this.maxBatch) setTimeout(write, this.delayMs).unref();
    else setImmediate(write);
  }

  private writeBatch(): Promise<void> {
    const entries = this.entries.splice(0, this.maxBatch);
    const runtimes = this.lastRuntimes;
    this.lastRuntimes = new Map();
    const writes: Promise<unknown>[] = [];
    if (entries.length) writes.push(this.journal.insertMany(entries, { ordered: false }));
    if (runtimes.size) {
      const ops: AnyBulkWriteOperation<CookieDocument>[] = [...runtimes].map(([name, at]) => ({
        updateOne: { filter: { _id: name }, update: { $max: { last_runtime: at } }, upsert: true },
      }));
      writes.push(this.cookies.bulkWrite(ops, { ordered: false }));
    }
    const done = Promise.allSettled(writes).then((results) => {
      results.forEach((result, i) => {
        if (result.status === "fulfilled") return;
        const journal = entries.length > 0 && i === 0;
        if (journal) this.dropped += entries.length;
        const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
        this.logger.error(
          journal ? "cannot write the job journal" : "cannot write last_runtime to sys.cookie",
          {
            reason,
            ...(journal ? { entries: entries.length } : {}),
          },
        );
      });
    });
    this.inFlight = done.finally(() => {
      this.inFlight = undefined;
      if (this.entries.length || this.lastRuntimes.size) this.schedule();
    });
    return this.inFlight;
  }
}
