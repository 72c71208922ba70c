import type { z } from "zod";
import { type CheckedJob, checkJobClass } from "./job/job-class.js";

/**
 * What a plugin declares: its jobs, its HTTP routes and its config section.
 * `TRoutes` is whatever the server mounts (see `PluginRoutes` in `core4ts/server`); the framework carries it
 * without knowing its shape, which keeps the framework free of any server dependency.
 */
export interface PluginDefinition<TRoutes = unknown, TJob = unknown> {
  /** Plugin name: also the name of its config section and the prefix of its job names (`usage.*`). */
  name: string;
  /** Config section schema: a zod object whose keys all have defaults. */
  config?: z.ZodObject;
  /** Job classes the plugin brings; workers run only registered jobs. */
  jobs?: readonly TJob[];
  /** HTTP routes, mounted by the server. */
  routes?: TRoutes;
  /** One line shown in listings. */
  description?: string;
}

/** A validated plugin definition. */
export interface Plugin<TRoutes = unknown, TJob = unknown> extends Readonly<PluginDefinition<TRoutes, TJob>> {
  readonly jobs: readonly TJob[];
}

const PLUGIN_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Declares a plugin. The name must be a lowercase identifier (it names the config section and prefixes
 * job names). Every job is checked here, at registration, so that a mistake stops the plugin from loading
 * with the job's name in the message: a malformed class, a setting outside its range, a bad cron pattern or
 * time zone, or a schedule on a job with a required argument that has no default.
 *
 * @example
 * export default definePlugin({ name: "usage", config: usageConfigSchema, jobs: [AggregateLogins], routes });
 */
export function definePlugin<TRoutes = unknown, TJob = unknown>(
  definition: PluginDefinition<TRoutes, TJob> & { readonly jobs?: readonly CheckedJob<TJob>[] },
): Plugin<TRoutes, TJob> {
  if (!PLUGIN_NAME.test(definition.name)) {
    throw new Error(`plugin name "${definition.name}" must be a lowercase identifier like "usage"`);
  }
  for (const job of definition.jobs ?? []) checkJobClass(job, definition.name);
  return Object.freeze({ ...definition, jobs: Object.freeze([...(definition.jobs ?? [])]) });
}
