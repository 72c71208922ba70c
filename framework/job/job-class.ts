import { z } from "zod";
import { CoreJob } from "./core-job.js";
import { JobDefinitionError } from "./errors/index.js";
import type { JobSettings } from "./job-settings.js";

/** A concrete CoreJob subclass: what plugins list in `jobs` and what enqueue and runInline accept. */
export type JobClass<J extends CoreJob = CoreJob> = (new () => J) &
  Omit<typeof CoreJob, "prototype"> & { readonly prototype: J };

const JOB_NAME = /^[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a value is a CoreJob subclass. */
export function isJobClass(value: unknown): value is JobClass {
  return typeof value === "function" && value.prototype instanceof CoreJob;
}

/**
 * Checks a job class's metadata: a `jobName` of the form `<plugin>.<ClassName>` (with the plugin's name
 * when given), `args` a zod object. Throws a {@link JobDefinitionError} naming the problem.
 */
export function checkJobClass(value: unknown, pluginName?: string): JobClass {
  if (!isJobClass(value)) {
    const what = typeof value === "function" ? `class ${value.name}` : String(value);
    throw new JobDefinitionError(`${what} is not a CoreJob subclass`);
  }
  const name = value.jobName;
  if (typeof name !== "string" || !JOB_NAME.test(name)) {
    throw new JobDefinitionError(
      `job class ${value.name} needs static jobName = "<plugin>.<ClassName>" (got ${JSON.stringify(name)})`,
    );
  }
  if (pluginName !== undefined && !name.startsWith(`${pluginName}.`)) {
    throw new JobDefinitionError(
      `job ${name} belongs to plugin "${pluginName}": its name must start with "${pluginName}."`,
    );
  }
  if (!(value.args instanceof z.ZodObject)) {
    throw new JobDefinitionError(`job ${name}: static args must be a zod object (z.object({...}))`);
  }
  return value;
}

/** The settings a job class declares (undefined where it relies on config or defaults). */
export function classSettings(jobClass: JobClass): Partial<JobSettings> {
  return {
    attempts: jobClass.attempts,
    deferTime: jobClass.deferTime,
    deferMax: jobClass.deferMax,
    errorTime: jobClass.errorTime,
    priority: jobClass.priority,
    maxParallel: jobClass.maxParallel,
    wallTime: jobClass.wallTime,
    progressInterval: jobClass.progressInterval,
  };
}
