import {
  type AnyBulkWriteOperation,
  BSON,
  type Collection,
  MongoError,
  MongoInvalidArgumentError,
} from "mongodb";
import type { CookieDocument } from "../job/cookie.js";
import type { JobLogger } from "../job/job-runtime.js";
import { DUPLICATE_KEY, documentWriteErrors, RETRYABLE_WRITE_CODES } from "../mongo/index.js";
import type { JournalEntry } from "./job-record.js";

/** Tuning of a {@link JournalWriter}; the defaults suit a worker pool. */
export interface JournalWriterOptions {
  /** Most entries in one write. Default 1,000. */
  maxBatch?: number;
  /** Milliseconds entries may wait to share a write (0: the next tick). Default 250. */
  delayMs?: number;
  /** First wait after a failed write, doubled on each further failure. Default 500 ms. */
  retryMs?: number;
  /** Longest wait between retries. Default 30 s. */
  maxRetryMs?: number;
  /** Most entries held while MongoDB is unreachable; beyond it the oldest are given up on. Default 100,000. */
  maxBuffered?: number;
  /** How long {@link JournalWriter.flush} keeps retrying before it gives up on what is left. Default 10 s. */
  flushTimeoutMs?: number;
}

/**
 * Writes finished runs to `sys.journal` and `last_runtime` to `sys.cookie` behind the run: entries that
 * arrive within `delayMs` (or while a write is in flight) share one write, so a busy worker makes one
 * MongoDB round trip per batch instead of one per job.
 *
 * A failed write is retried with backoff, not dropped: every entry's `_id` is its run's id, so a batch written
 * again stores each run once (a duplicate-key answer means "already there", unless the stored entry is
 * another run: see {@link JournalWriter.settleDuplicates}). Only a document MongoDB itself
 * rejects, entries beyond `maxBuffered` during an outage, and what is still unwritten when {@link flush}
 * times out are given up on; each is logged and counted in {@link droppedEntries}. What a crash leaves
 * unwritten (at most the last `delayMs`) is recovered from BullMQ's record by the worker pools' journal check.
 */
export class JournalWriter {
  private entries: JournalEntry[] = [];
  private lastRuntimes = new Map<string, Date>();
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Consecutive failed writes: sets the backoff. */
  private failures = 0;
  private dropped = 0;
  /** Entries of the write in flight. */
  private writing = 0;
  private readonly maxBatch: number;
  private readonly delayMs: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly maxBuffered: number;
  private readonly flushTimeoutMs: number;

  constructor(
    private readonly journal: Collection<JournalEntry>,
    private readonly cookies: Collection<CookieDocument>,
    private readonly logger: JobLogger,
    options: JournalWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1_000;
    this.delayMs = options.delayMs ?? 250;
    this.retryMs = options.retryMs ?? 500;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.flushTimeoutMs = options.flushTimeoutMs ?? 10_000;
  }

  /** Queues one finished run. */
  add(entry: JournalEntry): void {
    this.entries.push(entry);
    const excess = this.entries.length - this.maxBuffered;
    if (excess > 0) this.giveUp(this.entries.splice(0, excess), "too many unwritten job journal entries");
    this.schedule();
  }

  /** Queues `last_runtime` of a job type (only the latest per type is written). */
  touchLastRuntime(jobName: string, at: Date): void {
    this.keepLatest(jobName, at);
    this.schedule();
  }

  /** Entries given up on: rejected by MongoDB, or still unwritten after an outage outlasted the buffer. */
  get droppedEntries(): number {
    return this.dropped;
  }

  /** Entries not stored yet: queued, being written, or waiting for a retry. */
  get pendingEntries(): number {
    return this.entries.length + this.writing;
  }

  /**
   * Writes everything queued so far. While MongoDB fails, retries until `flushTimeoutMs` has passed, then
   * gives up on what is left (logged and counted): a closing worker must not hang on a dead database.
   */
  async flush(): Promise<void> {
    const deadline = Date.now() + this.flushTimeoutMs;
    while (this.inFlight || this.entries.length > 0 || this.lastRuntimes.size > 0) {
      if (this.inFlight) {
        await this.inFlight;
        continue;
      }
      if (this.failures > 0) {
        const left = deadline - Date.now();
        if (left <= 0) {
          this.giveUp(this.entries.splice(0), "cannot write the job journal before closing");
          this.lastRuntimes.clear();
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(this.backoff(), left)));
        if (this.inFlight) continue;
      }
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.writeBatch();
    }
  }

  /** The wait before the next try after `failures` failed writes in a row. */
  private backoff(failures = this.failures): number {
    return Math.min(this.retryMs * 2 ** Math.max(0, failures - 1), this.maxRetryMs);
  }

  private keepLatest(jobName: string, at: Date): void {
    const previous = this.lastRuntimes.get(jobName);
    if (!previous || previous < at) this.lastRuntimes.set(jobName, at);
  }

  private schedule(): void {
    if (this.timer || this.inFlight) return;
    if (this.entries.length === 0 && this.lastRuntimes.size === 0) return;
    // Runs finishing within the delay share a write: one round trip per batch, not per job.
    const wait = this.failures > 0 ? this.backoff() : this.entries.length >= this.maxBatch ? 0 : this.delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.inFlight) void this.writeBatch();
    }, wait).unref();
  }

  private writeBatch(): Promise<void> {
    const entries = this.entries.splice(0, this.maxBatch);
    const runtimes = this.lastRuntimes;
    this.lastRuntimes = new Map();
    this.writing = entries.length;
    this.inFlight = Promise.all([this.writeEntries(entries), this.writeRuntimes(runtimes)])
      .then(([entriesDone, runtimesDone]) => {
        this.failures = entriesDone && runtimesDone ? 0 : this.failures + 1;
      })
      .finally(() => {
        this.inFlight = undefined;
        this.writing = 0;
        this.schedule();
      });
    return this.inFlight;
  }

  /** True when the entries are settled (stored, or rejected for good); false when some wait for a retry. */
  private async writeEntries(entries: JournalEntry[]): Promise<boolean> {
    if (entries.length === 0) return true;
    const { retry, error } = await this.store(entries);
    this.writing = 0;
    if (retry.length === 0) return true;
    // Back to the front, in order; the next attempt's duplicates of what did get stored are harmless.
    this.entries.unshift(...retry);
    this.logger.warn("cannot write the job journal, will retry", {
      reason: reasonOf(error),
      entries: this.entries.length,
      // This write is about to count as one more failure.
      retryInMs: this.backoff(this.failures + 1),
    });
    return false;
  }

  /**
   * Inserts entries. Gives up on those MongoDB refuses for good, returns those to write again (MongoDB
   * unreachable, failing over, or refusing the whole write, as a missing role: an operator can fix that).
   */
  private async store(entries: JournalEntry[]): Promise<{ retry: JournalEntry[]; error?: unknown }> {
    const error = await this.journal.insertMany(entries, { ordered: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (error === undefined) return { retry: [] };
    const writeErrors = documentWriteErrors(error);
    if (writeErrors.length > 0) {
      const retry: JournalEntry[] = [];
      const rejected: JournalEntry[] = [];
      const stored: JournalEntry[] = [];
      for (const { index, code } of writeErrors) {
        const entry = entries[index] as JournalEntry;
        if (code === DUPLICATE_KEY) stored.push(entry);
        else if (RETRYABLE_WRITE_CODES.has(code)) retry.push(entry);
        else rejected.push(entry);
      }
      this.giveUp(rejected, reasonOf(error));
      await this.settleDuplicates(stored);
      return { retry, error };
    }
    if (!refusedByDriver(error)) return { retry: entries, error };
    if (entries.length === 1) {
      this.giveUp(entries, reasonOf(error));
      return { retry: [] };
    }
    // The driver refused the batch before sending it (a document over 16 MB, say): one entry at a time keeps
    // the others from sharing its fate.
    const retry: JournalEntry[] = [];
    let last: unknown;
    for (const entry of entries) {
      const single = await this.store([entry]);
      retry.push(...single.retry);
      last = single.error ?? last;
    }
    return { retry, error: last };
  }

  /**
   * Entries MongoDB already holds under their run id. Three cases:
   * - the same run written again (a retried batch): nothing to do;
   * - a copy the journal recovery built from BullMQ's record while this writer could not reach MongoDB: the
   *   worker's own entry knows more, so it replaces that copy;
   * - a different run under the same id (another start time or process: BullMQ ran the job again after
   *   Redis lost its last writes, say): it is stored under an id of its own and warned about, never dropped.
   */
  private async settleDuplicates(entries: JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    let stored: Map<string, Pick<JournalEntry, "started" | "pid" | "hostname" | "recovered">>;
    try {
      const found = await this.journal
        .find(
          { _id: { $in: entries.map((e) => e._id) } },
          { projection: { started: 1, pid: 1, hostname: 1, recovered: 1 } },
        )
        .toArray();
      stored = new Map(found.map((doc) => [doc._id, doc]));
    } catch (error) {
      this.logger.warn("cannot compare job journal entries stored twice", { reason: reasonOf(error) });
      return;
    }
    const ops: AnyBulkWriteOperation<JournalEntry>[] = [];
    for (const { _id, ...replacement } of entries) {
      const existing = stored.get(_id);
      if (!existing) continue;
      if (existing.recovered === true) {
        ops.push({ replaceOne: { filter: { _id, recovered: true }, replacement } });
      } else if (!sameRun(existing, replacement)) {
        const distinct = `${_id}:${replacement.started?.getTime() ?? 0}-${replacement.hostname}-${replacement.pid}`;
        this.logger.warn("a different run of a job under the same run id: journaled under its own id", {
          jobId: replacement.job_id,
          runId: _id,
          storedAs: distinct,
        });
        ops.push({ replaceOne: { filter: { _id: distinct }, replacement, upsert: true } });
      }
    }
    if (ops.length === 0) return;
    await this.journal.bulkWrite(ops, { ordered: false }).catch((error: unknown) => {
      this.logger.warn("cannot store job journal entries stored twice", { reason: reasonOf(error) });
    });
  }

  private async writeRuntimes(runtimes: Map<string, Date>): Promise<boolean> {
    if (runtimes.size === 0) return true;
    const ops: AnyBulkWriteOperation<CookieDocument>[] = [...runtimes].map(([name, at]) => ({
      updateOne: { filter: { _id: name }, update: { $max: { last_runtime: at } }, upsert: true },
    }));
    try {
      await this.cookies.bulkWrite(ops, { ordered: false });
      return true;
    } catch (error) {
      // `$max` makes writing a value twice harmless: keep the latest for the retry.
      for (const [name, at] of runtimes) this.keepLatest(name, at);
      this.logger.warn("cannot write last_runtime to sys.cookie, will retry", { reason: reasonOf(error) });
      return false;
    }
  }

  private giveUp(entries: JournalEntry[], reason: string): void {
    if (entries.length === 0) return;
    this.dropped += entries.length;
    this.logger.error("job journal entries given up on", {
      reason,
      entries: entries.length,
      jobIds: entries.slice(0, 10).map((e) => e.job_id),
    });
  }
}

/**
 * The driver refused the documents before sending them (an invalid or oversized document; serialising one
 * can also fail with a plain RangeError): retrying the same batch cannot help. Every failure of MongoDB or
 * of the connection is a MongoError.
 */
function refusedByDriver(error: unknown): boolean {
  return (
    error instanceof MongoInvalidArgumentError ||
    BSON.BSONError.isBSONError(error) ||
    !(error instanceof MongoError)
  );
}

/** Whether a stored entry and a new one describe the same run (the same start, on the same process). */
function sameRun(
  stored: Pick<JournalEntry, "started" | "pid" | "hostname">,
  entry: Omit<JournalEntry, "_id">,
): boolean {
  return (
    (stored.started?.getTime() ?? null) === (entry.started?.getTime() ?? null) &&
    stored.pid === entry.pid &&
    stored.hostname === entry.hostname
  );
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
