import { JobDefinitionError, UnknownJobError } from "../job/errors/index.js";
import {
  checkJobClass,
  checkSchedulable,
  classPolicy,
  classSettings,
  type JobClass,
} from "../job/job-class.js";
import type { JobPluginLike, JobRuntime } from "../job/job-runtime.js";
import {
  type EnqueueSettings,
  type JobSettings,
  resolveSchedulePolicy,
  resolveSettings,
  type SchedulePolicy,
  withEnqueueSettings,
} from "../job/job-settings.js";

// Class and config settings resolved per config object (frozen for a runtime's life) and job class.
const RESOLVED = new WeakMap<object, WeakMap<JobClass, Readonly<JobSettings>>>();

/**
 * The job types a process knows: those of its registered plugins. Workers run only these, and enqueue
 * refuses any other name.
 */
export class JobRegistry {
  private readonly byName = new Map<string, JobClass>();

  /** Registers the jobs of the given plugins; throws on a malformed class or a duplicate name. */
  constructor(plugins: readonly JobPluginLike[]) {
    for (const plugin of plugins) {
      for (const candidate of plugin.jobs) {
        const jobClass = checkJobClass(candidate, plugin.name);
        const existing = this.byName.get(jobClass.jobName);
        if (existing && existing !== jobClass) {
          throw new JobDefinitionError(`job name ${jobClass.jobName} is registered twice`);
        }
        this.byName.set(jobClass.jobName, jobClass);
      }
    }
  }

  /**
   * The registry of a runtime's plugins, with every job's settings and schedule checked as config leaves
   * them: a bad value or an unkeepable schedule throws a {@link JobDefinitionError} naming the job.
   */
  static of(runtime: Pick<JobRuntime, "plugins" | "config">): JobRegistry {
    const registry = new JobRegistry(runtime.plugins);
    for (const jobClass of registry.all()) {
      JobRegistry.settings(runtime, jobClass);
      checkSchedulable(jobClass, JobRegistry.schedulePolicy(runtime, jobClass));
    }
    return registry;
  }

  /** The class of a job name; throws {@link UnknownJobError} listing the known names. */
  get(name: string): JobClass {
    const jobClass = this.byName.get(name);
    if (!jobClass) {
      const known = [...this.byName.keys()].sort();
      throw new UnknownJobError(
        `unknown job "${name}" (${known.length ? `registered: ${known.join(", ")}` : "no plugin registers any job"})`,
      );
    }
    return jobClass;
  }

  /** Whether a job name is registered. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Resolves a name or class to a registered class (a class must be registered too). */
  resolve(job: string | JobClass): JobClass {
    if (typeof job === "string") return this.get(job);
    // A registered class was checked when it was registered: no second check on every enqueue.
    if (typeof job === "function" && this.byName.get(job.jobName) === job) return job;
    const registered = this.get(checkJobClass(job).jobName);
    if (registered !== job)
      throw new UnknownJobError(`job class ${job.name} is not the registered ${job.jobName}`);
    return registered;
  }

  /** All registered classes, by name. */
  all(): JobClass[] {
    return [...this.byName.values()].sort((a, b) => (a.jobName < b.jobName ? -1 : 1));
  }

  /**
   * Settings of a job type with core4's precedence (enqueue > config `jobs.<name>` > class > defaults). The
   * class and config part is resolved once per config (it is checked by a schema, on every enqueue path).
   */
  static settings(
    runtime: Pick<JobRuntime, "config">,
    jobClass: JobClass,
    enqueue?: EnqueueSettings,
  ): JobSettings {
    const byClass = RESOLVED.get(runtime.config) ?? new WeakMap<JobClass, Readonly<JobSettings>>();
    RESOLVED.set(runtime.config, byClass);
    let base = byClass.get(jobClass);
    if (!base) {
      base = Object.freeze(
        resolveSettings(
          jobClass.jobName,
          classSettings(jobClass),
          runtime.config.core.jobs[jobClass.jobName],
          undefined,
        ),
      );
      byClass.set(jobClass, base);
    }
    return withEnqueueSettings(jobClass.jobName, base, enqueue);
  }

  /** The schedule of a job type: config `jobs.<name>.schedule` (null disables) over the class's. */
  static schedule(runtime: Pick<JobRuntime, "config">, jobClass: JobClass): string | undefined {
    return JobRegistry.schedulePolicy(runtime, jobClass).schedule;
  }

  /** Schedule, time zone and schedule policies of a job type (config `jobs.<name>` over class values). */
  static schedulePolicy(runtime: Pick<JobRuntime, "config">, jobClass: JobClass): SchedulePolicy {
    return resolveSchedulePolicy(
      jobClass.jobName,
      classPolicy(jobClass),
      runtime.config.core.jobs[jobClass.jobName],
    );
  }
}
