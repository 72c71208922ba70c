import { type JobsOptions, Queue } from "bullmq";
import { ObjectId } from "mongodb";
import {
  type CheckedJob,
  type EnqueueSettings,
  JobArgumentError,
  type JobClass,
  JobDefinitionError,
  JobExistsError,
  type JobInput,
  JobKilledError,
  JobNotFoundError,
  type JobRuntime,
  type JobSettings,
  JobStateError,
  jobIdentityKey,
  parseJobArgs,
  type RawJobArgs,
  serializeJobArgs,
  UnknownJobError,
} from "../job/index.js";
import {
  type JobRecord,
  JobRegistry,
  type JobState,
  type JournalEntry,
  journalRunId,
  recordOfEntry,
} from "../run/index.js";
import { backoffOf } from "./backoff.js";
import { type BullState, coreState, type QueueJob, recordOf } from "./job-view.js";
import { KillSwitch } from "./kill-switch.js";
import type { QueueJobData, QueueJobResult } from "./queue-data.js";
import { knownQueuesKey, queueNameOf } from "./queue-keys.js";
import type { RedisClient } from "./redis-connection.js";
import { createRedis, watchRedisErrors } from "./redis-connection.js";
import { KEEP_COMPLETED, KEEP_FAILED } from "./retention.js";
import { describeSchedules, type ScheduleView } from "./schedule-view.js";
import { markLostWorkers } from "./worker-lost.js";

/** Options of {@link JobQueue.enqueue}: settings that win over config and class, plus scheduling. */
export interface EnqueueOptions extends EnqueueSettings {
  /** Seconds to wait before the job may run. */
  delay?: number;
  /** When the job may run (instead of `delay`). */
  at?: Date;
}

/** Options of {@link JobQueue.enqueueMany}. */
export interface EnqueueManyOptions extends EnqueueOptions {
  /** Items sent to Redis per round trip (default 1,000). */
  batchSize?: number;
}

/** What became of one item of {@link JobQueue.enqueueMany}, at the item's index. */
export type EnqueueResult =
  | { index: number; id: string }
  | {
      index: number;
      /** Why nothing was queued: a queued duplicate, or arguments the job's schema refuses. */
      refused: "duplicate" | "bad_argument";
      /** One line naming the reason. */
      error: string;
      /** The queued duplicate's id. */
      existingId?: string;
    };

/** Selection of {@link JobQueue.restartMatching} and {@link JobQueue.removeMatching}. */
export interface JobSelection {
  /** Job name. */
  name: string;
  /** State of the jobs. */
  state: JobState;
}

/** What a bulk restart or remove did. */
export interface BulkOutcome {
  /** Jobs of that name and state found. */
  matched: number;
  /** Jobs restarted or removed. */
  done: number;
  /** Jobs left as they were, with the reason (a duplicate already queued, a job that just started). */
  refused: { id: string; error: string }[];
}

/** States a bulk restart takes. */
export const RESTARTABLE_STATES = [
  "error",
  "failed",
  "killed",
  "inactive",
  "deferred",
] as const satisfies readonly JobState[];

/** Filter of {@link JobQueue.list}. */
export interface JobFilter {
  /** Only jobs in these states. */
  state?: JobState | readonly JobState[];
  /** Only jobs of this name. */
  name?: string;
  /** Most jobs returned per job type (default 1000). */
  limit?: number;
}

const BULL_TYPES: Record<JobState, BullState[]> = {
  pending: ["waiting", "prioritized", "waiting-children", "delayed"],
  running: ["active"],
  deferred: ["delayed"],
  failed: ["delayed"],
  error: ["failed"],
  inactive: ["failed"],
  killed: ["failed"],
  complete: ["completed"],
};

/**
 * The job queue facade over BullMQ: enqueue with core4's rules (validated arguments, one queued job per
 * name and arguments), and the operator commands `get`, `list`, `kill`, `restart`, `remove`. Works from
 * any process sharing the Redis; a kill reaches the worker running the job wherever it runs.
 */
export class JobQueue {
  private readonly registry: JobRegistry;
  private readonly prefix: string;
  private readonly queues = new Map<string, Queue<QueueJobData, QueueJobResult | undefined, string>>();
  private readonly announced = new Set<string>();
  private connection: RedisClient | undefined;

  constructor(private readonly runtime: JobRuntime) {
    this.registry = JobRegistry.of(runtime);
    this.prefix = runtime.config.core.redis.prefix;
  }

  /**
   * Enqueues a job: `job` is a registered name or class, `args` raw values (strings are converted to the
   * schema's types). Throws {@link JobArgumentError} naming a bad argument, {@link UnknownJobError} for an
   * unregistered name, and {@link JobExistsError} (with the existing id) when a job of the same name and
   * arguments is waiting, deferred, failed-to-be-retried or running.
   */
  enqueue<C extends JobClass>(
    job: C & CheckedJob<C>,
    args?: JobInput<C>,
    options?: EnqueueOptions,
  ): Promise<JobRecord>;
  /** By name: the arguments as they arrive (HTTP, CLI), converted and checked against the job's schema. */
  enqueue(job: string, args?: RawJobArgs, options?: EnqueueOptions): Promise<JobRecord>;
  async enqueue(job: string | JobClass, args?: RawJobArgs, options: EnqueueOptions = {}): Promise<JobRecord> {
    const jobClass = this.registry.resolve(job);
    const { delay, settings, overrides } = this.enqueueOptions(jobClass, options);
    const parsed = parseJobArgs(jobClass.jobName, jobClass.args, args);
    const stored = serializeJobArgs(parsed);
    const id = new ObjectId().toHexString();
    const data: QueueJobData = { args: stored, validated: true };
    if (overrides) data.settings = overrides;
    const added = await this.add(jobClass.jobName, data, settings, id, delay);
    await this.announce(jobClass.jobName);
    // A job just added is in BullMQ's delayed set only when it has a delay, due at its timestamp plus the
    // delay (BullMQ's score): no round trip to read it back.
    const nextTry = added.delay > 0 ? new Date(added.timestamp + added.delay) : null;
    return { ...recordOf(added, "pending"), nextTry };
  }

  /**
   * Enqueues many jobs of one type: every item's arguments are validated and the duplicate rule applies to
   * each (against queued jobs and earlier items of the list), in one Redis round trip per batch. Resolves
   * with one result per item, in order: the new id, or the refusal and its reason. Options apply to all.
   * Throws only for what concerns the whole call (an unknown job, bad options, Redis unreachable).
   */
  enqueueMany<C extends JobClass>(
    job: C & CheckedJob<C>,
    argsList: readonly JobInput<C>[],
    options?: EnqueueManyOptions,
  ): Promise<EnqueueResult[]>;
  /** By name: each item's arguments as they arrive, converted and checked against the job's schema. */
  enqueueMany(
    job: string,
    argsList: readonly RawJobArgs[],
    options?: EnqueueManyOptions,
  ): Promise<EnqueueResult[]>;
  async enqueueMany(
    job: string | JobClass,
    argsList: readonly RawJobArgs[],
    options: EnqueueManyOptions = {},
  ): Promise<EnqueueResult[]> {
    const jobClass = this.registry.resolve(job);
    const { batchSize = 1_000, ...enqueue } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new JobArgumentError(`batchSize must be a whole number >= 1, got ${batchSize}`, "batchSize");
    }
    const { delay, settings, overrides } = this.enqueueOptions(jobClass, enqueue);
    const name = jobClass.jobName;
    const results: EnqueueResult[] = new Array(argsList.length);
    const pending: { index: number; id: string; data: QueueJobData }[] = [];
    argsList.forEach((args, index) => {
      try {
        const stored = serializeJobArgs(parseJobArgs(name, jobClass.args, args));
        const data: QueueJobData = { args: stored, validated: true };
        if (overrides) data.settings = overrides;
        pending.push({ index, id: new ObjectId().toHexString(), data });
      } catch (error) {
        if (!(error instanceof JobArgumentError)) throw error;
        results[index] = { index, refused: "bad_argument", error: error.message };
      }
    });
    const queue = this.queue(name);
    for (let start = 0; start < pending.length; start += batchSize) {
      const batch = pending.slice(start, start + batchSize);
      const added = await queue.addBulk(
        batch.map(({ id, data }) => ({ name, data, opts: this.jobOptions(name, data, settings, id, delay) })),
      );
      added.forEach((bullJob, i) => {
        const { index, id } = batch[i] as (typeof batch)[number];
        results[index] =
          bullJob.id === id
            ? { index, id }
            : {
                index,
                refused: "duplicate",
                error: `job ${name} with these arguments is already queued as ${bullJob.id}`,
                existingId: String(bullJob.id),
              };
      });
    }
    if (pending.length) await this.announce(name);
    return results;
  }

  /**
   * Enqueues a scheduled run (no arguments: the schema's defaults). With `duplicateRule` (`overlap: skip`)
   * a queued run of the same arguments refuses it with {@link JobExistsError}; without, it is queued anyway
   * and is not itself covered by the rule.
   */
  async enqueueScheduled(name: string, duplicateRule: boolean): Promise<JobRecord> {
    const jobClass = this.registry.get(name);
    const settings = JobRegistry.settings(this.runtime, jobClass);
    const data: QueueJobData = {
      args: serializeJobArgs(parseJobArgs(name, jobClass.args, {})),
      validated: true,
    };
    const id = new ObjectId().toHexString();
    const options = this.jobOptions(name, data, settings, id);
    if (!duplicateRule) delete options.deduplication;
    const added = await this.queue(name).add(name, data, options);
    if (added.id !== id) {
      throw new JobExistsError(
        `job ${name} with these arguments is already queued as ${added.id}`,
        String(added.id),
      );
    }
    await this.announce(name);
    return recordOf(added as QueueJob, "pending");
  }

  /** A job by id: live from Redis, or its last run from sys.journal. Throws {@link JobNotFoundError}. */
  async get(id: string): Promise<JobRecord> {
    const found = await this.find(id);
    if (found) return this.withNextTry(found.record, found.job);
    const entry = await this.lastJournalEntry(id);
    if (entry) return recordOfEntry(entry);
    throw new JobNotFoundError(`no job with id ${id}`);
  }

  /** Jobs in Redis (waiting, running, deferred, failed and the ones retention still keeps), newest first. */
  async list(filter: JobFilter = {}): Promise<JobRecord[]> {
    const states =
      filter.state === undefined
        ? undefined
        : new Set(typeof filter.state === "string" ? [filter.state] : filter.state);
    const types = states
      ? [...new Set([...states].flatMap((s) => BULL_TYPES[s]))]
      : ([
          "active",
          "waiting",
          "prioritized",
          "waiting-children",
          "delayed",
          "failed",
          "completed",
        ] as BullState[]);
    // Only names that ever had a queue: any other name has no jobs, and opening a queue for it would
    // throw on names BullMQ refuses (`a:b`) and keep one Queue per name a caller makes up.
    const known = await this.knownJobNames();
    const names = filter.name ? known.filter((name) => name === filter.name) : known;
    const limit = filter.limit ?? 1_000;
    const records: JobRecord[] = [];
    // A running job whose worker died shows as pending (worker lost): running ones are read for a pending filter.
    const wanted = states?.has("pending") ? new Set([...states, "running" as JobState]) : states;
    const read =
      states?.has("pending") && !types.includes("active") ? [...types, "active" as BullState] : types;
    await Promise.all(
      names.map(async (name) => {
        const queue = this.queue(name);
        const found: JobRecord[] = [];
        for (const type of read) {
          const jobs = (await queue.getJobs(type as never, 0, limit - 1)) as QueueJob[];
          const due = type === "delayed" ? await this.dueTimes(queue, jobs) : undefined;
          jobs.forEach((job, i) => {
            if (!job) return;
            const state = coreState(job, type);
            if (!state || (wanted && !wanted.has(state))) return;
            const record = recordOf(job, state);
            record.nextTry = due?.[i] ?? null;
            found.push(record);
          });
        }
        const marked = await markLostWorkers(this.redis(), (id) => `${queue.toKey(id)}:lock`, found);
        records.push(...marked.filter((r) => !states || states.has(r.state)));
      }),
    );
    return records.sort((a, b) => (b.enqueued?.getTime() ?? 0) - (a.enqueued?.getTime() ?? 0));
  }

  /**
   * Kills a job. A running job's signal is raised on whatever worker runs it and the run ends `killed` (not
   * retried); a waiting, deferred or failed job is taken out of the queue and journaled as `killed`.
   * Resolves with the job's record as of the request (a running one finishes being killed shortly after).
   */
  async kill(id: string): Promise<JobRecord> {
    const found = await this.require(id);
    const { job, record } = found;
    if (
      record.state === "complete" ||
      record.state === "error" ||
      record.state === "killed" ||
      record.state === "inactive"
    ) {
      throw new JobStateError(
        `job ${id} is ${record.state}: only pending, deferred, failed or running jobs can be killed`,
      );
    }
    // Always broadcast: the job may have started between the state read and now. The kill names this run
    // of the job (its creation time), so a restart under the same id is not killed again.
    await KillSwitch.request(this.redis(), this.prefix, { id, created: job.timestamp });
    if (record.state === "running") return record;
    const removed = await this.queue(job.name).remove(id);
    if (removed === 0) return { ...record, state: "running" };
    const now = new Date();
    const entry: JournalEntry = {
      _id: journalRunId(id, new Date(job.timestamp), job.attemptsStarted, "killed"),
      job_id: id,
      name: record.name,
      args: record.args,
      state: "killed",
      progress: record.progress,
      attempts: record.attempts,
      attemptsLeft: record.attemptsLeft,
      enqueued: record.enqueued,
      started: record.started,
      finished: now,
      runtime: null,
      sources: record.sources,
      error: new JobKilledError(`job ${id} was killed before it ran`).message,
      hostname: "",
      pid: process.pid,
      inline: false,
    };
    await this.runtime.mongo.sys<JournalEntry>("journal").insertOne(entry);
    return recordOfEntry(entry);
  }

  /**
   * Runs a job again: an `error`, `killed` or `inactive` job is queued afresh under the same id with fresh
   * attempts (from the journal when retention or a kill already took it out of Redis), subject to the
   * duplicate rule; a `failed` or `deferred` job waiting for its retry runs now.
   */
  async restart(id: string): Promise<JobRecord> {
    const found = await this.find(id);
    if (!found) {
      const entry = await this.lastJournalEntry(id);
      if (!entry) throw new JobNotFoundError(`no job with id ${id}`);
      if (entry.state === "complete")
        throw new JobStateError(`job ${id} is complete: enqueue it again instead`);
      return this.recreate(id, entry.name, { args: entry.args, validated: true });
    }
    const { job, record } = found;
    switch (record.state) {
      case "error":
      case "killed":
      case "inactive": {
        // Queued afresh under the same id rather than retried in place, so that the duplicate rule covers it
        // again (BullMQ released its deduplication key when the job failed).
        const { mark, ...data } = job.data;
        await this.queue(job.name).remove(id);
        return this.recreate(id, job.name, data);
      }
      case "failed":
      case "deferred":
        await job.promote();
        return this.get(id);
      default:
        throw new JobStateError(
          `job ${id} is ${record.state}: only error, killed, inactive, failed or deferred jobs restart`,
        );
    }
  }

  /**
   * Restarts every job of a name in a state that Redis still holds (`error`, `failed`, `killed`,
   * `inactive` or `deferred`; see {@link restart}): bulk redrive. A job whose restart is refused (a
   * duplicate is queued meanwhile) is listed with the reason and left as it was.
   */
  async restartMatching(selection: JobSelection): Promise<BulkOutcome> {
    if (!(RESTARTABLE_STATES as readonly JobState[]).includes(selection.state)) {
      throw new JobStateError(
        `jobs in state ${selection.state} do not restart (states: ${RESTARTABLE_STATES.join(", ")})`,
      );
    }
    return this.eachMatching(selection, (id) => this.restart(id));
  }

  /** Removes every job of a name in a state (not `running`: kill those first); see {@link remove}. */
  async removeMatching(selection: JobSelection): Promise<BulkOutcome> {
    if (selection.state === "running") {
      throw new JobStateError("running jobs cannot be removed: kill them first");
    }
    return this.eachMatching(selection, (id) => this.remove(id));
  }

  /** Removes a job that is not running from the queue (its journal history stays). */
  async remove(id: string): Promise<void> {
    const found = await this.require(id);
    if (found.record.state === "running") throw new JobStateError(`job ${id} is running: kill it first`);
    const removed = await this.queue(found.job.name).remove(id);
    if (removed === 0)
      throw new JobStateError(`job ${id} could not be removed: it has just started, kill it first`);
  }

  /** The registered schedules: pattern, time zone, next three slots, last scheduled run, policies. */
  schedules(): Promise<ScheduleView[]> {
    return describeSchedules(this.runtime, this.redis());
  }

  /** Closes the Redis connections of this facade. */
  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.allSettled(queues.map((q) => q.close()));
    if (this.connection) await this.connection.quit().catch(() => undefined);
    this.connection = undefined;
  }

  /** The BullMQ queue of a job type (shared connection). */
  queue(jobName: string): Queue<QueueJobData, QueueJobResult | undefined, string> {
    let queue = this.queues.get(jobName);
    if (!queue) {
      // BullMQ refuses such a queue name with a plain Error; to a caller it is simply no job type of ours.
      if (jobName.includes(":")) throw new UnknownJobError(`unknown job "${jobName.slice(0, 80)}"`);
      queue = new Queue<QueueJobData, QueueJobResult | undefined, string>(queueNameOf(jobName), {
        connection: this.redis(),
        prefix: this.prefix,
      });
      watchRedisErrors(queue, `queue ${jobName}`, this.runtime.logger, this.runtime.redisUrl);
      this.queues.set(jobName, queue);
    }
    return queue;
  }

  /** Registered job names and those other processes enqueued. */
  async knownJobNames(): Promise<string[]> {
    const stored = await this.redis().smembers(knownQueuesKey(this.prefix));
    return [...new Set([...this.registry.all().map((c) => c.jobName), ...stored])].sort();
  }

  private redis(): RedisClient {
    this.connection ??= createRedis(this.runtime.redisUrl, "core4.queue", this.runtime.logger);
    return this.connection;
  }

  private async announce(jobName: string): Promise<void> {
    if (this.announced.has(jobName)) return;
    await this.redis().sadd(knownQueuesKey(this.prefix), jobName);
    this.announced.add(jobName);
  }

  private async find(id: string): Promise<{ job: QueueJob; record: JobRecord } | undefined> {
    const names = await this.knownJobNames();
    const jobs = await Promise.all(
      names.map((name) => this.queue(name).getJob(id) as Promise<QueueJob | undefined>),
    );
    let job = jobs.find((j) => j !== undefined);
    if (!job) return undefined;
    const bullState = await job.getState();
    if ((bullState === "completed" || bullState === "failed") && !job.finishedOn) {
      // It finished between the two reads: read the final job, which no longer changes.
      job = (await this.queue(job.name).getJob(id)) as QueueJob | undefined;
      if (!job) return undefined;
    }
    const state = coreState(job, bullState as BullState);
    if (!state) return undefined;
    const queue = this.queue(job.name);
    const [record] = await markLostWorkers(this.redis(), (key) => `${queue.toKey(key)}:lock`, [
      recordOf(job, state),
    ]);
    return { job, record: record as JobRecord };
  }

  private async require(id: string): Promise<{ job: QueueJob; record: JobRecord }> {
    const found = await this.find(id);
    if (found) return found;
    const entry = await this.lastJournalEntry(id);
    if (entry) throw new JobStateError(`job ${id} is ${entry.state} and no longer queued`);
    throw new JobNotFoundError(`no job with id ${id}`);
  }

  private lastJournalEntry(id: string): Promise<JournalEntry | null> {
    return this.runtime.mongo
      .sys<JournalEntry>("journal")
      .findOne({ job_id: id }, { sort: { finished: -1 }, projection: { _id: 0 } });
  }

  private async eachMatching(
    selection: JobSelection,
    operation: (id: string) => Promise<unknown>,
  ): Promise<BulkOutcome> {
    this.registry.get(selection.name);
    const records = await this.list({ name: selection.name, state: selection.state, limit: 1_000_000 });
    const outcome: BulkOutcome = { matched: records.length, done: 0, refused: [] };
    for (const record of records) {
      try {
        await operation(record.id);
        outcome.done++;
      } catch (error) {
        if (
          !(
            error instanceof JobExistsError ||
            error instanceof JobStateError ||
            error instanceof JobNotFoundError
          )
        )
          throw error;
        outcome.refused.push({ id: record.id, error: error.message });
      }
    }
    return outcome;
  }

  /** Checks enqueue options, resolving the settings they lead to; throws a {@link JobArgumentError} naming one. */
  private enqueueOptions(
    jobClass: JobClass,
    options: EnqueueOptions,
  ): { delay: number | undefined; settings: JobSettings; overrides: EnqueueSettings | undefined } {
    const { delay, at, ...rest } = options;
    const overrides = Object.fromEntries(
      Object.entries(rest).filter(([, v]) => v !== undefined),
    ) as EnqueueSettings;
    let settings: JobSettings;
    try {
      settings = JobRegistry.settings(this.runtime, jobClass, overrides);
    } catch (error) {
      if (!(error instanceof JobDefinitionError)) throw error;
      throw new JobArgumentError(error.message, /"([^"]+)"/.exec(error.message)?.[1] ?? "");
    }
    if (delay !== undefined && at !== undefined) {
      throw new JobArgumentError("give either delay or at, not both", "delay");
    }
    if (delay !== undefined && !(Number.isFinite(delay) && delay >= 0)) {
      throw new JobArgumentError(`delay must be a number of seconds >= 0, got ${String(delay)}`, "delay");
    }
    let wait = delay;
    if (at !== undefined) {
      if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
        throw new JobArgumentError(`at must be a date and time, got ${String(at)}`, "at");
      }
      wait = Math.max(0, (at.getTime() - Date.now()) / 1000);
    }
    return { delay: wait, settings, overrides: Object.keys(overrides).length ? overrides : undefined };
  }

  /** The record with the time a delayed job runs next (from its score in BullMQ's delayed set). */
  private async withNextTry(record: JobRecord, job: QueueJob): Promise<JobRecord> {
    const waits = record.state === "failed" || record.state === "deferred" || record.state === "pending";
    const [due] = waits ? await this.dueTimes(this.queue(job.name), [job]) : [null];
    return { ...record, nextTry: due ?? null };
  }

  /** When each job of BullMQ's delayed set is due (null for one not in it). */
  private async dueTimes(queue: Queue, jobs: readonly (QueueJob | undefined)[]): Promise<(Date | null)[]> {
    if (jobs.length === 0) return [];
    const pipeline = this.redis().pipeline();
    for (const job of jobs) pipeline.zscore(queue.keys.delayed as string, String(job?.id ?? ""));
    const replies = (await pipeline.exec()) ?? [];
    // BullMQ's score is the due time in ms times 4096 plus a counter that orders jobs due at once.
    return replies.map(([error, score]) =>
      error || score === null ? null : new Date(Math.floor(Number(score) / 0x1000)),
    );
  }

  private async recreate(id: string, name: string, data: QueueJobData): Promise<JobRecord> {
    const jobClass = this.registry.get(name);
    await KillSwitch.clear(this.redis(), this.prefix, id);
    const settings = JobRegistry.settings(this.runtime, jobClass, data.settings);
    return recordOf(await this.add(name, data, settings, id), "pending");
  }

  /** BullMQ options of a core4 job; see {@link add}. */
  private jobOptions(
    name: string,
    data: QueueJobData,
    settings: JobSettings,
    id: string,
    delay?: number,
  ): JobsOptions {
    return {
      jobId: id,
      attempts: settings.attempts,
      // A single attempt is never retried: BullMQ would parse a retry delay on every fetch for nothing.
      backoff: settings.attempts > 1 ? backoffOf(settings) : undefined,
      priority: settings.priority || undefined,
      delay: delay ? Math.round(delay * 1000) : undefined,
      deduplication: { id: jobIdentityKey(name, data.args) },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    };
  }

  /**
   * Adds a job with core4's options: attempts and retry delay, priority, the duplicate rule as BullMQ
   * deduplication on (name, arguments), and retention. Throws {@link JobExistsError} when BullMQ answers
   * with the id of a queued duplicate instead of ours.
   */
  private async add(
    name: string,
    data: QueueJobData,
    settings: JobSettings,
    id: string,
    delay?: number,
  ): Promise<QueueJob> {
    const added = (await this.queue(name).add(
      name,
      data,
      this.jobOptions(name, data, settings, id, delay),
    )) as QueueJob;
    if (added.id !== id) {
      throw new JobExistsError(
        `job ${name} with these arguments is already queued as ${added.id}`,
        String(added.id),
      );
    }
    return added;
  }
}
