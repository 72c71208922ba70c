import { format } from "node:util";
import type { Collection, Document } from "mongodb";
import { z } from "zod";
import type { Config } from "../config/index.js";
import { Cookie, type CookieDocument } from "./cookie.js";
import { JobDeferredError } from "./errors/index.js";
import { JOB_CONTEXT, type JobContext } from "./job-context.js";
import type { JobLogger } from "./job-runtime.js";
import type { JobSettings } from "./job-settings.js";
import { sourceTagged } from "./source-tagging.js";

/** The key of the instance's type-only record of its argument schema. */
declare const ARGS_TYPE: unique symbol;

/**
 * The base class of every job. Subclass it, name it, give it an argument schema and an `execute()`:
 *
 * ```ts
 * const args = z.object({ day: z.date().optional(), reset: z.boolean().default(false) });
 *
 * export class AggregateLogins extends CoreJob.withArgs(args) {
 *   static override readonly jobName = "usage.AggregateLogins";
 *   static override readonly schedule = "30 1 * * *";
 *
 *   override async execute({ day, reset }: z.output<typeof args>) {
 *     this.setSource("sys.log");
 *     await this.progress(0.5, "halfway");
 *   }
 * }
 * ```
 *
 * Static members are the job type's metadata; `jobs.<jobName>` in config overrides the settings, and
 * enqueue options override config. A job instance lives for one run and is created by the worker or by
 * `runInline()`; its members below are usable inside `initialise()` and `execute()` only.
 */
export abstract class CoreJob<S extends z.ZodObject = z.ZodObject> {
  /** The job's name, `<plugin>.<ClassName>` (required; `name` itself is taken by JavaScript classes). */
  static readonly jobName: string;
  /** Who to ask about the job. */
  static readonly author?: string;
  /** Cron pattern (5 fields, or 6 with seconds first) the scheduler enqueues the job on. */
  static readonly schedule?: string;
  /** IANA time zone of `schedule` (default UTC). */
  static readonly timezone?: string;
  /** Runs that may end in an error before the job turns `error` (default 1). */
  static readonly attempts?: number;
  /** Seconds a deferred job waits (default 300). */
  static readonly deferTime?: number;
  /** Seconds after enqueue beyond which deferring turns the job inactive (default 3600). */
  static readonly deferMax?: number;
  /** Seconds before a failed job is retried (default 600); with exponential backoff, the first retry's wait. */
  static readonly errorTime?: number;
  /** How retries wait: `fixed` (default, every retry `errorTime`) or `exponential` (doubling, jittered). */
  static readonly backoff?: "fixed" | "exponential";
  /** Longest wait of an exponential backoff in seconds (default 86 400, one day). */
  static readonly maxErrorTime?: number;
  /** At most `max` runs of this type start per `duration` seconds across the whole pool (default none). */
  static readonly rateLimit?: { readonly max: number; readonly duration: number };
  /** `all` runs are journaled (default), or only `failures` (runs that did not complete). */
  static readonly journal?: "all" | "failures";
  /** After scheduler downtime: `one` run for all missed slots (default), `none`, or `all` (one per slot). */
  static readonly catchup?: "one" | "none" | "all";
  /** Seconds back from now within which missed slots are caught up (default 86 400). */
  static readonly catchupWindow?: number;
  /** `skip` (default): a slot whose earlier run is pending or running enqueues nothing; `allow`: it does. */
  static readonly overlap?: "skip" | "allow";
  /** BullMQ priority: 0 none (default), else 1 highest. */
  static readonly priority?: number;
  /** Most runs of this type at once across all workers (default 15). */
  static readonly maxParallel?: number;
  /** Seconds after which a run is aborted and fails (default: no limit). */
  static readonly wallTime?: number;
  /** Seconds between progress writes (default 5). */
  static readonly progressInterval?: number;
  /** Argument schema (a zod object); values arrive converted from strings where needed. */
  static readonly args: z.ZodObject = z.object({});

  /**
   * The base class for a job taking `args`: `class X extends CoreJob.withArgs(schema)` sets the static
   * `args` and types `execute()` from the same schema, so the two cannot disagree. (`extends
   * CoreJob<typeof a>` with `static args = b` is refused by the compiler where the class is registered,
   * enqueued or run: see `CheckedJob`.)
   */
  static withArgs<A extends z.ZodObject>(args: A): JobBase<A> {
    abstract class JobWithArgs extends CoreJob<A> {
      static override readonly args: A = args;
    }
    return JobWithArgs;
  }

  /** @internal Carries the argument schema's type on the instance, for `CheckedJob`; never set. */
  declare readonly [ARGS_TYPE]?: S;

  /** @internal Set by the runner for one run. */
  [JOB_CONTEXT]: JobContext | undefined;
  private cookieInstance: Cookie | undefined;

  /** Called once per run before {@link execute}: open resources, read config. */
  initialise(): void | Promise<void> {}

  /** The job's work. Receives the validated, typed arguments. */
  abstract execute(args: z.output<S>): unknown;

  private get context(): JobContext {
    const context = this[JOB_CONTEXT];
    if (!context) {
      throw new Error(
        `${this.constructor.name} is not running: jobs run through a worker or runInline(), not by calling execute() directly`,
      );
    }
    return context;
  }

  /** The job id. */
  get id(): string {
    return this.context.id;
  }

  /** The job's name (`<plugin>.<ClassName>`). */
  get jobName(): string {
    return (this.constructor as typeof CoreJob).jobName;
  }

  /** 1-based number of this run among those that used an attempt. */
  get attempt(): number {
    return this.context.attempt;
  }

  /** When the job was enqueued. */
  get enqueued(): Date {
    return this.context.enqueued;
  }

  /** Settings of this run (defaults < class < config < enqueue options). */
  get settings(): Readonly<JobSettings> {
    return this.context.settings;
  }

  /** The process configuration (plugin sections via `config.section(name)`, typed by `ConfigSections`). */
  get config(): Config {
    return this.context.runtime.config;
  }

  /** Logger whose records carry `identifier` = job id and `qual_name` = job name (they reach sys.log). */
  get logger(): JobLogger {
    return this.context.logger;
  }

  /** Raised when the job is killed, exceeds its wall time or its worker shuts down. Pass it on to I/O. */
  get signal(): AbortSignal {
    return this.context.control.signal;
  }

  /** Durable state of this job type in `sys.cookie`, shared by all its runs. */
  get cookie(): Cookie {
    this.cookieInstance ??= new Cookie(
      this.context.runtime.mongo.sys<CookieDocument>("cookie"),
      this.jobName,
    );
    return this.cookieInstance;
  }

  /** Sources set so far in this run. */
  get sources(): readonly string[] {
    return this.context.sources;
  }

  /**
   * Reports progress: `value` is the done fraction (0 to 1), `message` a printf-style text (`%s`, `%d`).
   * Writes at most once per `progressInterval` (the first and the final report always land); the write
   * also tells operators the job is alive. Throws when the job was killed, so a loop that reports
   * progress stops promptly.
   */
  async progress(value: number, message?: string, ...params: unknown[]): Promise<void> {
    this.context.control.throwIfAborted();
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new RangeError(`progress must be a fraction between 0 and 1, got ${value}`);
    }
    const text = message === undefined ? null : params.length ? format(message, ...params) : message;
    await this.context.progress.report({ value, message: text });
  }

  /**
   * Names the source of the data this run writes: every later write through {@link collection} carries it
   * as `_src` (with `_job_id`). A run may set several sources in turn; its record lists them all.
   */
  setSource(name: string): void {
    if (typeof name !== "string" || name.trim() === "") throw new Error("setSource() needs a non-empty name");
    this.context.sources.push(name);
  }

  /** The source set last, if any. */
  get source(): string | undefined {
    const sources = this.context.sources;
    return sources[sources.length - 1];
  }

  /**
   * A collection by reference (`coll`, `db/coll`, `mongodb://…/db/coll`); a reference without a database
   * uses the job's plugin name as database. Writes are source-tagged (see {@link setSource}), except to
   * `sys.*` collections.
   */
  collection<T extends Document = Document>(ref: string, defaultDb?: string): Collection<T> {
    const context = this.context;
    const plugin = this.jobName.split(".")[0] as string;
    const collection = context.runtime.mongo.collection<T>(ref, defaultDb ?? plugin);
    return sourceTagged(collection, {
      get source() {
        const sources = context.sources;
        return sources[sources.length - 1];
      },
      jobId: context.id,
      jobName: this.jobName,
    });
  }

  /**
   * Ends this run and retries the job after `deferTime` without using an attempt (core4's defer). After
   * `deferMax` seconds since enqueue the job turns `inactive` instead.
   */
  defer(message = "deferred"): never {
    throw new JobDeferredError(message);
  }
}

/** What `CoreJob.withArgs(args)` returns: the CoreJob base class with `args` set and typed. */
export type JobBase<A extends z.ZodObject> = (abstract new () => CoreJob<A>) &
  Omit<typeof CoreJob, "prototype" | "args"> & { readonly args: A; readonly prototype: CoreJob<A> };
