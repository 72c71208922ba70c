import { DelayedError, Queue, UnrecoverableError, Worker } from "bullmq";
import {
  type CookieDocument,
  type JobClass,
  type JobRuntime,
  type JobSettings,
  RunControl,
  restoreJobArgs,
  WorkerShutdownError,
  withEnqueueSettings,
} from "../job/index.js";
import {
  JobRegistry,
  type JournalEntry,
  JournalWriter,
  journalEntry,
  OUTAGE_RETRY_MS,
  type RunInput,
  type RunOutcome,
  runJob,
} from "../run/index.js";
import { retryDelay } from "./backoff.js";
import type { QueueJob } from "./job-view.js";
import { failuresOnlyQueues, journals } from "./journal-policy.js";
import { JournalRecovery } from "./journal-recovery.js";
import { KillSwitch } from "./kill-switch.js";
import type { QueueJobData, QueueJobProgress, QueueJobResult, RunMark } from "./queue-data.js";
import { knownQueuesKey, queueNameOf } from "./queue-keys.js";
import { applyRateLimit } from "./rate-limit.js";
import type { RedisClient } from "./redis-connection.js";
import { createRedis, watchRedisErrors } from "./redis-connection.js";
import { RunRecords } from "./run-records.js";
import { settleWithin } from "./settle-within.js";
import { WorkerWatchdog } from "./worker-watchdog.js";

/** How long a close waits, after the shutdown timeout, for Redis to take the interrupted runs back. */
const SHUTDOWN_GRACE_MS = 5_000;

/** Options of {@link startWorkerPool}. */
export interface WorkerPoolOptions {
  /** Jobs of each type this process runs at once (default config `worker.concurrency`). */
  concurrency?: number;
  /** Only these job names (default: every registered job). An unknown name fails at once. */
  jobs?: readonly string[];
  /** Seconds a graceful close waits for running jobs before interrupting them (default `worker.shutdownTimeout`). */
  shutdownTimeout?: number;
  /**
   * Milliseconds a worker's lock on a job lasts without renewal; a dead worker's job is recovered after it
   * (default config `worker.lockDuration`, 30 s).
   */
  lockDuration?: number;
  /** Milliseconds between checks for jobs whose worker died (default config `worker.stalledInterval`, 30 s). */
  stalledInterval?: number;
  /** Times a job may be recovered from a dead worker before it fails (default `worker.maxStalledCount`, 2). */
  maxStalledCount?: number;
  /**
   * Milliseconds between looks for a worker that takes no jobs although they wait for it (a connection left
   * wedged by a failover or an outage); such a worker is replaced. 0 turns it off. Default config
   * `worker.watchdogInterval`, 15 s.
   */
  watchdogInterval?: number;
  /** Close gracefully on SIGTERM and SIGINT (default false; `coco worker` turns it on). */
  handleSignals?: boolean;
  /**
   * Milliseconds between checks for finished runs BullMQ holds but `sys.journal` lacks (a worker killed
   * before its journal write, a job failed for stalling); 0 turns the check off. Default 60 000.
   */
  journalRecoveryInterval?: number;
  /** Only runs finished at least this many milliseconds ago are checked (default 30 000). */
  journalRecoverySettle?: number;
}

/**
 * A pool of BullMQ workers, one per job type (each type is its own queue), running the registered plugins'
 * jobs. `maxParallel` is BullMQ's global concurrency of the type's queue, so it holds across hosts. A job
 * whose worker dies (kill -9, host loss) is picked up by another worker after `lockDuration`; a graceful
 * close lets running jobs finish for `shutdownTimeout`, then interrupts them and puts them back in the
 * queue without using an attempt.
 */
type PoolWorker = Worker<QueueJobData, QueueJobResult | undefined, string>;

export class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  /** One queue handle per worker (same order), for the journal check and the watchdog. */
  private readonly queues: Queue[] = [];
  private readonly running = new Map<string, RunControl>();
  /** Makes the worker of each job type anew (same order as `workers`), for the watchdog's restarts. */
  private readonly workerFactories: (() => PoolWorker)[] = [];
  /** Runs going on in this process, per job name. */
  private readonly activeByName = new Map<string, number>();
  private readonly watchdog: WorkerWatchdog;
  private closing: Promise<void> | undefined;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private recovering: Promise<void> | undefined;
  private readonly records: RunRecords;
  private readonly signalHandler = (): void => {
    void this.close();
  };

  private constructor(
    private readonly runtime: JobRuntime,
    private readonly connection: RedisClient,
    private readonly kills: KillSwitch,
    private readonly journal: JournalWriter,
    private readonly shutdownTimeout: number,
    private readonly handleSignals: boolean,
    private readonly prefix: string,
    /** Job names this pool runs. */
    readonly jobNames: readonly string[],
  ) {
    this.records = new RunRecords(runtime.logger, connection, prefix);
    this.watchdog = new WorkerWatchdog(
      () =>
        this.jobNames.map((jobName, i) => ({
          jobName,
          queue: this.queues[i] as Queue,
          active: () => this.activeByName.get(jobName) ?? 0,
          restart: () => this.restartWorker(i),
        })),
      runtime.logger,
    );
  }

  /** Starts the pool; see {@link startWorkerPool}. */
  static async start(runtime: JobRuntime, options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const registry = JobRegistry.of(runtime);
    const classes = options.jobs ? options.jobs.map((name) => registry.get(name)) : registry.all();
    const core = runtime.config.core;
    const prefix = core.redis.prefix;
    const concurrency = options.concurrency ?? core.worker.concurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(`worker concurrency must be a positive integer, got ${concurrency}`);
    }
    const connection = createRedis(runtime.redisUrl, "core4.worker", runtime.logger);
    const kills = await KillSwitch.listen(
      createRedis(runtime.redisUrl, "core4.worker.kill", runtime.logger),
      connection,
      prefix,
    );
    const journal = new JournalWriter(
      runtime.mongo.sys<JournalEntry>("journal"),
      runtime.mongo.sys<CookieDocument>("cookie"),
      runtime.logger,
    );
    await runtime.mongo
      .sys<JournalEntry>("journal")
      .createIndex({ job_id: 1, finished: -1 })
      .catch((error: unknown) => runtime.logger.warn("cannot index sys.journal", { reason: String(error) }));
    const pool = new WorkerPool(
      runtime,
      connection,
      kills,
      journal,
      options.shutdownTimeout ?? core.worker.shutdownTimeout,
      options.handleSignals ?? false,
      prefix,
      classes.map((c) => c.jobName),
    );
    if (classes.length) await connection.sadd(knownQueuesKey(prefix), ...classes.map((c) => c.jobName));
    const workerOptions = {
      concurrency,
      lockDuration: options.lockDuration ?? core.worker.lockDuration * 1000,
      stalledInterval: options.stalledInterval ?? core.worker.stalledInterval * 1000,
      maxStalledCount: options.maxStalledCount ?? core.worker.maxStalledCount,
    };
    for (const jobClass of classes) {
      const base = JobRegistry.settings(runtime, jobClass);
      const queue = new Queue(queueNameOf(jobClass.jobName), { connection, prefix });
      watchRedisErrors(queue, `queue ${jobClass.jobName}`, runtime.logger, runtime.redisUrl);
      // A finite cap is BullMQ's global concurrency of the type's queue, so it holds across hosts; without a
      // cap (Infinity) any earlier cap is removed and BullMQ skips the pool-wide count on every fetch.
      if (Number.isFinite(base.maxParallel)) await queue.setGlobalConcurrency(base.maxParallel);
      else await queue.removeGlobalConcurrency();
      await applyRateLimit(queue, base);
      pool.queues.push(queue);
      pool.workerFactories.push(() => {
        const worker: PoolWorker = new Worker(
          queueNameOf(jobClass.jobName),
          (job, token) => pool.process(jobClass, base, job, token),
          {
            ...workerOptions,
            connection,
            prefix,
            concurrency: Math.min(concurrency, base.maxParallel),
            settings: { backoffStrategy: retryDelay },
          },
        );
        watchRedisErrors(worker, `worker ${jobClass.jobName}`, runtime.logger, runtime.redisUrl);
        return worker;
      });
      pool.workers.push((pool.workerFactories.at(-1) as () => PoolWorker)());
    }
    await Promise.all(pool.workers.map((w) => w.waitUntilReady()));
    pool.startRecovery(options);
    pool.watchdog.start(options.watchdogInterval ?? core.worker.watchdogInterval * 1000);
    if (pool.handleSignals) {
      process.once("SIGTERM", pool.signalHandler);
      process.once("SIGINT", pool.signalHandler);
    }
    runtime.logger.info("worker pool started", { jobs: pool.jobNames, concurrency });
    return pool;
  }

  /** Replaces a wedged worker (its runs are none: the watchdog restarts idle workers only). */
  private async restartWorker(index: number): Promise<void> {
    if (this.closing) return;
    const old = this.workers[index] as PoolWorker;
    const fresh = (this.workerFactories[index] as () => PoolWorker)();
    this.workers[index] = fresh;
    // A forced close drops the old one's own (wedged) blocking connection; `disconnect()` is not used, as it
    // would also drop the connection the pool shares with every worker.
    await settleWithin(old.close(true), SHUTDOWN_GRACE_MS);
    await settleWithin(fresh.waitUntilReady(), SHUTDOWN_GRACE_MS);
  }

  private startRecovery(options: WorkerPoolOptions): void {
    const interval = options.journalRecoveryInterval ?? 60_000;
    if (interval <= 0 || this.queues.length === 0) return;
    const recovery = new JournalRecovery(
      this.queues,
      this.connection,
      this.runtime.mongo.sys<JournalEntry>("journal"),
      this.runtime.logger,
      {
        settleMs: options.journalRecoverySettle ?? 30_000,
        failuresOnly: failuresOnlyQueues(this.runtime, this.jobNames),
      },
    );
    const sweep = (): void => {
      if (this.recovering || this.closing) return;
      this.recovering = recovery
        .sweep()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.runtime.logger.warn("cannot check the job journal against BullMQ", {
            reason: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(() => {
          this.recovering = undefined;
        });
    };
    // The first check covers everything retention kept from before this pool started.
    setImmediate(sweep);
    this.recoveryTimer = setInterval(sweep, interval).unref();
  }

  /** Jobs running in this process now. */
  get active(): number {
    return this.running.size;
  }

  /**
   * Stops taking jobs, waits up to the shutdown timeout for running ones, interrupts the rest (back to the
   * queue, no attempt used), writes the journal and closes connections. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.handleSignals) {
        process.off("SIGTERM", this.signalHandler);
        process.off("SIGINT", this.signalHandler);
      }
      await this.watchdog.stop();
      const closed = Promise.all(this.workers.map((w) => w.close()));
      if (!(await settleWithin(closed, this.shutdownTimeout * 1000))) {
        this.runtime.logger.warn("shutdown timeout reached: interrupting running jobs", {
          running: this.running.size,
        });
        for (const control of this.running.values()) {
          control.abort(new WorkerShutdownError("the worker is shutting down"));
        }
      }
      // Interrupted runs go back to the queue within moments, unless Redis does not answer: then nothing
      // more can be written there, and the connections are dropped so that the close has a bound.
      const answered =
        (await settleWithin(closed, SHUTDOWN_GRACE_MS)) &&
        (await settleWithin(this.recovering, SHUTDOWN_GRACE_MS));
      clearInterval(this.recoveryTimer);
      if (!answered) this.disconnect();
      await this.journal.flush();
      await this.records.flush();
      const quit = Promise.all([
        ...this.queues.map((q) => q.close()),
        this.kills.close(),
        this.connection.quit().catch(() => undefined),
      ]);
      if (!(await settleWithin(quit, SHUTDOWN_GRACE_MS))) this.disconnect();
      this.runtime.logger.info("worker pool stopped");
    })();
    return this.closing;
  }

  /** Drops every Redis connection of the pool at once: pending commands fail instead of waiting. */
  private disconnect(): void {
    this.runtime.logger.warn("Redis does not answer: closing the worker pool without it", {
      running: this.running.size,
    });
    for (const worker of this.workers) void worker.disconnect().catch(() => undefined);
    for (const queue of this.queues) void queue.disconnect().catch(() => undefined);
    this.kills.disconnect();
    this.connection.disconnect();
  }

  private async process(
    jobClass: JobClass,
    base: JobSettings,
    job: QueueJob,
    token: string | undefined,
  ): Promise<QueueJobResult | undefined> {
    const id = String(job.id);
    const data = job.data ?? { args: {} };
    const settings = data.settings ? withEnqueueSettings(jobClass.jobName, base, data.settings) : base;
    let args: unknown;
    try {
      args = restoreJobArgs(jobClass.jobName, jobClass.args, data.args, data.validated === true);
    } catch (error) {
      // The arguments passed enqueue validation; a schema changed since. Retrying cannot help.
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
    const control = new RunControl();
    this.running.set(id, control);
    this.activeByName.set(jobClass.jobName, (this.activeByName.get(jobClass.jobName) ?? 0) + 1);
    // A job recovered from a dead worker may have been killed while no one could hear it.
    await this.kills.register({ id, created: job.timestamp }, control, job.stalledCounter > 0);
    const input: RunInput = {
      runtime: this.runtime,
      jobClass,
      id,
      args,
      storedArgs: data.args,
      attemptsMade: job.attemptsMade,
      enqueued: new Date(job.timestamp),
      run: job.attemptsStarted,
      // The attempts BullMQ counts against are those the job was enqueued with.
      settings:
        job.opts.attempts === undefined || job.opts.attempts === settings.attempts
          ? settings
          : { ...settings, attempts: job.opts.attempts },
      control,
      inline: false,
      writeProgress: (progress, sources) =>
        job.updateProgress({ ...progress, sources: [...sources] } satisfies QueueJobProgress),
    };
    this.records.started(input, job.stalledCounter > 0);
    let outcome: RunOutcome;
    try {
      outcome = await runJob(input);
    } finally {
      this.running.delete(id);
      this.activeByName.set(jobClass.jobName, (this.activeByName.get(jobClass.jobName) ?? 1) - 1);
      this.kills.unregister(id);
    }
    this.records.finished(input, outcome);
    if (journals(settings, outcome.state)) this.journal.add(journalEntry(input, outcome));
    switch (outcome.state) {
      case "complete":
        this.journal.touchLastRuntime(jobClass.jobName, outcome.finished);
        // Nothing to store for a run without sources (the journal has the full record).
        return outcome.sources.length ? { sources: outcome.sources } : undefined;
      case "killed":
      case "inactive":
        await markRun(job, data, outcome.state, outcome);
        throw new UnrecoverableError(outcome.error?.message ?? outcome.state);
      case "deferred":
        await markRun(job, data, "deferred", outcome);
        await job.moveToDelayed(Date.now() + deferDelayMs(settings, outcome), token);
        throw new DelayedError();
      case "interrupted":
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      default:
        throw outcome.error ?? new Error(`job ${jobClass.jobName} failed`);
    }
  }
}

/** How long a deferred run waits: its `deferTime`, or less when an outage deferred it (services come back). */
function deferDelayMs(settings: JobSettings, outcome: RunOutcome): number {
  const deferMs = settings.deferTime * 1000;
  return outcome.outage ? Math.min(deferMs, OUTAGE_RETRY_MS) : deferMs;
}

/** Records on the BullMQ job how a run ended that BullMQ cannot tell apart (deferred, killed, inactive). */
function markRun(
  job: QueueJob,
  data: QueueJobData,
  state: RunMark["state"],
  outcome: RunOutcome,
): Promise<void> {
  return job.updateData({
    ...data,
    mark: {
      state,
      at: job.attemptsStarted,
      message: outcome.error?.message ?? state,
      sources: outcome.sources,
    },
  });
}

/**
 * Starts a worker pool for the runtime's registered jobs (`coco worker`). Close it with `pool.close()`
 * (or pass `handleSignals: true` to close on SIGTERM/SIGINT).
 */
export function startWorkerPool(runtime: JobRuntime, options?: WorkerPoolOptions): Promise<WorkerPool> {
  return WorkerPool.start(runtime, options);
}
