import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { ObjectId } from "mongodb";
import {
  type EnqueueSettings,
  type JobClass,
  JobExistsError,
  JobKilledError,
  JobNotFoundError,
  type JobRecord,
  JobRegistry,
  type JobRuntime,
  type JobSettings,
  type JobState,
  JobStateError,
  type JournalEntry,
  jobIdentityKey,
  journalRunId,
  parseJobArgs,
  type RawJobArgs,
  recordOfEntry,
  serializeJobArgs,
} from "../job/index.js";
import { type BullState, coreState, type QueueJob, recordOf } from "./job-view.js";
import { KillSwitch } from "./kill-switch.js";
import type { QueueJobData, QueueJobResult } from "./queue-data.js";
import { knownQueuesKey, queueNameOf } from "./queue-keys.js";
import { createRedis, watchRedisErrors } from "./redis-connection.js";
import { KEEP_COMPLETED, KEEP_FAILED } from "./retention.js";

/** Options of {@link JobQueue.enqueue}: settings that win over config and class, plus scheduling. */
export interface EnqueueOptions extends EnqueueSettings {
  /** Seconds to wait before the job may run. */
  delay?: number;
}

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
  private connection: Redis | undefined;

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
  async enqueue(job: string | JobClass, args?: RawJobArgs, options: EnqueueOptions = {}): Promise<JobRecord> {
    const jobClass = this.registry.resolve(job);
    const { delay, ...overrides } = options;
    const settings = JobRegistry.settings(this.runtime, jobClass, overrides);
    const parsed = parseJobArgs(jobClass.jobName, jobClass.args, args);
    const stored = serializeJobArgs(parsed);
    const id = new ObjectId().toHexString();
    const data: QueueJobData = { args: stored, validated: true };
    if (Object.keys(overrides).length) data.settings = overrides;
    const added = await this.add(jobClass.jobName, data, settings, id, delay);
    await this.announce(jobClass.jobName);
    return recordOf(added, "pending");
  }

  /** A job by id: live from Redis, or its last run from sys.journal. Throws {@link JobNotFoundError}. */
  async get(id: string): Promise<JobRecord> {
    const found = await this.find(id);
    if (found) return found.record;
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
    const names = filter.name ? [filter.name] : await this.knownJobNames();
    const limit = filter.limit ?? 1_000;
    const records: JobRecord[] = [];
    await Promise.all(
      names.map(async (name) => {
        const queue = this.queue(name);
        for (const type of types) {
          const jobs = (await queue.getJobs(type as never, 0, limit - 1)) as QueueJob[];
          for (const job of jobs) {
            if (!job) continue;
            const state = coreState(job, type);
            if (state && (!states || states.has(state))) records.push(recordOf(job, state));
          }
        }
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

  /** Removes a job that is not running from the queue (its journal history stays). */
  async remove(id: string): Promise<void> {
    const found = await this.require(id);
    if (found.record.state === "running") throw new JobStateError(`job ${id} is running: kill it first`);
    const removed = await this.queue(found.job.name).remove(id);
    if (removed === 0)
      throw new JobStateError(`job ${id} could not be removed: it has just started, kill it first`);
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

  private redis(): Redis {
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
    return { job, record: recordOf(job, state) };
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

  private async recreate(id: string, name: string, data: QueueJobData): Promise<JobRecord> {
    const jobClass = this.registry.get(name);
    await KillSwitch.clear(this.redis(), this.prefix, id);
    const settings = JobRegistry.settings(this.runtime, jobClass, data.settings);
    return recordOf(await this.add(name, data, settings, id), "pending");
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
    const added = (await this.queue(name).add(name, data, {
      jobId: id,
      attempts: settings.attempts,
      backoff: { type: "fixed", delay: settings.errorTime * 1000 },
      priority: settings.priority || undefined,
      delay: delay ? delay * 1000 : undefined,
      deduplication: { id: jobIdentityKey(name, data.args) },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    })) as QueueJob;
    if (added.id !== id) {
      throw new JobExistsError(
        `job ${name} with these arguments is already queued as ${added.id}`,
        String(added.id),
      );
    }
    return added;
  }
}
