import type { CoreConfig } from "./core-schema.js";
import { ConfigError } from "./errors.js";

/** Where each configured value came from, for messages that tell a user what to fix. */
export type ConfigSource = "defaults" | `file ${string}` | `environment ${string}`;

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
   * Returns a plugin's section. The type parameter is the section's zod output type, for example
   * `config.section<UsageConfig>("usage")`.
   */
  section<T>(name: string): T {
    const value = this.values[name];
    if (value === undefined) throw new ConfigError(`config section "${name}" is not registered`);
    return value as T;
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
