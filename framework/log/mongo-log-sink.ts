import { type Collection, MongoBulkWriteError } from "mongodb";
import { DUPLICATE_KEY, documentWriteErrors, isUnreachable } from "../mongo/write-errors.js";
import type { LogRecord } from "./log-record.js";
import type { MongoLogSinkOptions, MongoLogSinkStats } from "./types.js";

const BUFFER_FULL = "log buffer full";

/** A period in which records could not be stored: started by the first failure or drop. */
interface Outage {
  since: Date;
  dropped: number;
  reason: string;
  /** Whether the failure to reach MongoDB was reported. */
  warned: boolean;
}

/**
 * Writes log records to `sys.log` in batches (`insertMany`, unordered) from a bounded in-memory buffer.
 * A full batch (`batchSize`) goes out at once; what is left waits for the next `flushIntervalMs` tick, so
 * under load every insert carries a full batch instead of the few records that came in during the last
 * round trip (each insert costs both processes far more than a record in it).
 *
 * {@link write} only appends to the buffer: it never throws and never waits for MongoDB. While MongoDB is
 * down, batches are retried with a growing pause and new records are dropped once the buffer is full; the
 * drop is counted in {@link stats} and reported once per outage (a warning on stderr and `onDrop`).
 * Records carry their `_id` from the first attempt, so a retry after a lost reply stores nothing twice.
 */
export class MongoLogSink {
  private readonly getCollection: () => Collection<LogRecord>;
  private readonly bufferSize: number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly flushTimeoutMs: number;
  private readonly onDrop: ((dropped: number) => void) | undefined;
  private readonly warn: (message: string) => void;
  private buffer: LogRecord[] = [];
  private inFlight: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryDelayMs = 0;
  private outage: Outage | undefined;
  private closed = false;
  private readonly counters = { written: 0, dropped: 0, failed: 0 };

  constructor(options: MongoLogSinkOptions) {
    this.getCollection = options.collection;
    this.bufferSize = positive(options.bufferSize ?? 10_000, "bufferSize");
    this.batchSize = positive(options.batchSize ?? 500, "batchSize");
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 500);
    this.maxRetryDelayMs = Math.max(1, options.maxRetryDelayMs ?? 30_000);
    this.flushTimeoutMs = Math.max(0, options.flushTimeoutMs ?? 5_000);
    this.onDrop = options.onDrop;
    this.warn = options.warn ?? warnOnStderr;
  }

  /** Counters: records written, dropped, refused by MongoDB, and waiting in memory. */
  get stats(): MongoLogSinkStats {
    return { ...this.counters, buffered: this.buffer.length };
  }

  /** Queues a record for sys.log. Never throws, never waits; drops (and counts) it when the buffer is full. */
  write(record: LogRecord): void {
    if (this.closed) {
      this.counters.dropped++;
      return;
    }
    if (this.buffer.length >= this.bufferSize) {
      this.counters.dropped++;
      this.startOutage(BUFFER_FULL).dropped++;
      return;
    }
    this.buffer.push(record);
    // A full batch goes out now instead of waiting for the interval.
    if (this.batchReady && this.timer && !this.inFlight) this.clearTimer();
    this.schedule();
  }

  /** A full batch is waiting and MongoDB is not failing (a retry waits for its pause instead). */
  private get batchReady(): boolean {
    return this.retryDelayMs === 0 && this.buffer.length >= this.batchSize;
  }

  /**
   * Writes what is buffered. Resolves when the buffer is empty, when a write failed (records stay buffered
   * for the next retry), or after `timeoutMs` (default `flushTimeoutMs`); it never rejects.
   */
  async flush(timeoutMs: number = this.flushTimeoutMs): Promise<void> {
    const work = (async () => {
      // A pump already running may be one that leaves a partial batch: wait for it, then write the rest.
      if (this.inFlight) await this.inFlight;
      while (this.buffer.length > 0) {
        this.clearTimer();
        if (!(await this.pump(true))) return;
      }
    })();
    await withTimeout(work, timeoutMs);
  }

  /**
   * Flushes (bounded by `timeoutMs`), then stops: records still buffered are dropped and counted, an
   * ongoing outage is reported, and later writes are dropped. Idempotent.
   */
  async close(timeoutMs: number = this.flushTimeoutMs): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    await this.flush(timeoutMs);
    const left = this.buffer.length;
    if (left > 0) {
      this.buffer = [];
      this.counters.dropped += left;
      this.startOutage("closed before MongoDB answered").dropped += left;
    }
    this.endOutage();
  }

  private schedule(): void {
    if (this.timer || this.inFlight || this.buffer.length === 0 || this.closed) return;
    const full = this.batchReady;
    const delay = full ? 0 : this.retryDelayMs > 0 ? this.retryDelayMs : this.flushIntervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A tick (or a retry) writes everything; a full batch alone does not take the remainder along.
      void this.pump(!full);
    }, delay);
    // Logging must never keep a process alive.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Writes batches until the buffer is empty (`all`) or holds less than a full batch, or a write fails;
   * one pump runs at a time.
   */
  private pump(all: boolean): Promise<boolean> {
    if (!this.inFlight) {
      this.inFlight = this.drain(all).finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
    }
    return this.inFlight;
  }

  private async drain(all: boolean): Promise<boolean> {
    while (this.buffer.length >= (all ? 1 : this.batchSize)) {
      if (!(await this.writeBatch())) return false;
    }
    return true;
  }

  /** Writes one batch; false when MongoDB could not be reached (the batch is back in the buffer). */
  private async writeBatch(): Promise<boolean> {
    const batch = this.buffer.splice(0, this.batchSize);
    try {
      const result = await this.getCollection().insertMany(batch, { ordered: false });
      this.counters.written += result.insertedCount;
      this.recovered();
      return true;
    } catch (error) {
      if (error instanceof MongoBulkWriteError && !isUnreachable(error)) {
        this.partlyWritten(batch, error);
        this.recovered();
        return true;
      }
      if (isUnreachable(error)) {
        this.failed(batch, error);
        return false;
      }
      // Something in the batch itself (e.g. a document too large to encode): find the bad records alone.
      await this.writeOneByOne(batch);
      return true;
    }
  }

  private partlyWritten(batch: readonly LogRecord[], error: MongoBulkWriteError): void {
    const errors = documentWriteErrors(error);
    // Duplicate keys are records a previous attempt stored before its reply was lost.
    const duplicates = errors.filter((e) => e.code === DUPLICATE_KEY).length;
    const refused = errors.length - duplicates;
    this.counters.written += error.insertedCount + duplicates;
    if (refused > 0) {
      this.counters.failed += refused;
      const first = errors.find((e) => e.code !== DUPLICATE_KEY);
      this.warn(
        `sys.log refused ${refused} of ${batch.length} log records: ${first?.errmsg ?? error.message}`,
      );
    }
  }

  private async writeOneByOne(batch: readonly LogRecord[]): Promise<void> {
    for (const [index, record] of batch.entries()) {
      try {
        await this.getCollection().insertOne(record);
        this.counters.written++;
      } catch (error) {
        if (isUnreachable(error)) {
          this.failed(batch.slice(index), error);
          return;
        }
        if (error instanceof MongoBulkWriteError || (error as { code?: unknown }).code === DUPLICATE_KEY) {
          this.counters.written++;
          continue;
        }
        this.counters.failed++;
        this.warn(
          `sys.log refused a log record ("${String(record.message).slice(0, 80)}"): ${describe(error)}`,
        );
      }
    }
  }

  /** MongoDB is unreachable: keep the batch (oldest first) and retry later with a longer pause. */
  private failed(batch: readonly LogRecord[], error: unknown): void {
    const outage = this.startOutage(describe(error));
    this.retryDelayMs = Math.min(
      Math.max(this.retryDelayMs * 2, this.flushIntervalMs, 100),
      this.maxRetryDelayMs,
    );
    if (this.closed) {
      this.counters.dropped += batch.length;
      outage.dropped += batch.length;
      return;
    }
    this.buffer = [...batch, ...this.buffer];
    const over = this.buffer.length - this.bufferSize;
    if (over > 0) {
      this.buffer.length = this.bufferSize;
      this.counters.dropped += over;
      outage.dropped += over;
    }
  }

  private startOutage(reason: string): Outage {
    this.outage ??= { since: new Date(), dropped: 0, reason, warned: false };
    const outage = this.outage;
    if (reason !== BUFFER_FULL && !outage.warned) {
      outage.warned = true;
      outage.reason = reason;
      if (!this.closed) {
        this.warn(
          `cannot write log records to sys.log (${reason}); keeping up to ${this.bufferSize} in memory and retrying`,
        );
      }
    }
    return outage;
  }

  private recovered(): void {
    this.retryDelayMs = 0;
    this.endOutage();
  }

  /** Reports the outage once, with the number of records it cost. */
  private endOutage(): void {
    const outage = this.outage;
    if (!outage) return;
    this.outage = undefined;
    if (outage.dropped === 0) return;
    this.warn(
      `${outage.dropped} log records were dropped and are missing from sys.log ` +
        `(${outage.reason}, since ${outage.since.toISOString()})`,
    );
    try {
      this.onDrop?.(outage.dropped);
    } catch {
      // A reporting callback must not break logging.
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] || error.name : String(error);
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`MongoLogSink ${name} must be a positive integer, got ${value}`);
  return value;
}

function warnOnStderr(message: string): void {
  // The sink's own trouble cannot go through the logger that feeds it: a plain JSON line like pino's.
  process.stderr.write(
    `${JSON.stringify({ level: "warn", time: new Date().toISOString(), name: "core4.log", msg: message })}\n`,
  );
}

async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([
      work.then(
        () => undefined,
        () => undefined,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
