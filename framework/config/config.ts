import type { CoreConfig } from "./core-schema.js";
import { ConfigError } from "./errors.js";

/** Where each configured value came from, for messages that tell a user what to fix. */
export type ConfigSource = "defaults" | `file ${string}` | `environment ${string}`;

/**
 * The type of each plugin's config section, by section name. A plugin adds its own by declaration merging,
 * so that `config.section("usage")` is typed without the caller naming a type:
 *
 * @example
 * declare module "core4ts" {
 *   interface ConfigSections {
 *     usage: z.output<typeof usageConfigSchema>;
 *   }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by plugins through declaration merging
export interface ConfigSections {}

/**
 * Validated, read-only configuration: the core keys and every plugin's section.
 * Built by {@link loadConfig}; never changes at run time.
 */
export class Config {
  /** The framework's own settings. */
  readonly core: CoreConfig;
  /** The YAML file that was read, if any. */
  readonly file: string | undefined;

  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    file: string | undefined,
  ) {
    this.core = values as unknown as CoreConfig;
    this.file = file;
  }

  /**
   * Returns a plugin's validated section. Its type is the one the plugin declared in
   * {@link ConfigSections}; a section no plugin declared is `unknown`, for the caller to narrow.
   * Throws a {@link ConfigError} when no plugin registered the section.
   */
  section<K extends keyof ConfigSections>(name: K): ConfigSections[K];
  section(name: string): unknown;
  section(name: string): unknown {
    const value = this.values[name];
    if (value === undefined) throw new ConfigError(`config section "${name}" is not registered`);
    return value;
  }

  /** Reads any value by dotted path (`usage.timezone`); undefined when absent. */
  get(path: string): unknown {
    let current: unknown = this.values;
    for (const key of path.split(".")) {
      if (current === null || typeof current !== "object") return undefined;
      current = (current as Record<string, unknown>)[key];
    }
    return current;
  }

  /** The whole configuration as a plain object (secrets included: never log it as is). */
  toJSON(): Readonly<Record<string, unknown>> {
    return this.values;
  }
}
