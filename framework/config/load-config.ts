import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { Config } from "./config.js";
import { coreConfigSchema } from "./core-schema.js";
import { convertEnvValue, resolvePath } from "./env-value.js";
import { ConfigError } from "./errors.js";

/** A plugin's configuration section: a zod object whose keys all have defaults. */
export type ConfigSectionSchema = z.ZodObject;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Plugin sections by name (`usage`, ...), merged beside the core keys. */
  sections?: Record<string, ConfigSectionSchema>;
  /** YAML file; defaults to `env.CORE4_CONFIG`, else `./core4.yaml` when there is one. */
  file?: string;
  /** Environment to read; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Values applied above the environment (for tests and embedding). */
  overrides?: Record<string, unknown>;
  /**
   * Accept top-level keys no registered section claims (used once at start to read `plugins` before the
   * plugins, and so their sections, are known). Everything else is still validated.
   */
  allowUnknownSections?: boolean;
  /**
   * The registered job names. When given, every key under `jobs` must be one of them (a typo there would
   * otherwise be ignored silently); left out in the lenient first pass, where the plugins are not known yet.
   */
  jobNames?: readonly string[];
}

/** The config file read when CORE4_CONFIG is unset, in the working directory (docs/contracts.md "Environment"). */
export const DEFAULT_CONFIG_FILE = "core4.yaml";

/** The YAML file a process reads: `file`, else CORE4_CONFIG, else ./core4.yaml if it exists. */
export function configFileOf(env: NodeJS.ProcessEnv, file?: string): string | undefined {
  if (file !== undefined) return file;
  if (env.CORE4_CONFIG) return env.CORE4_CONFIG;
  return existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined;
}

/** The environment variables of docs/contracts.md and the config keys they set. */
const NAMED_VARIABLES: Record<string, string[]> = {
  CORE4_HOME: ["home"],
  CORE4_MONGODB_URI: ["mongodb", "uri"],
  CORE4_REDIS_URL: ["redis", "url"],
  CORE4_PORT: ["server", "port"],
  CORE4_SECRET: ["server", "secret"],
  CORE4_ADMIN_PASSWORD: ["server", "adminPassword"],
};

const OPTION_PREFIX = "CORE4_OPTION_";

/**
 * Loads the configuration: defaults < YAML file < environment (`CORE4_*` variables and
 * `CORE4_OPTION_a__b`). Every value is validated; an unknown key or a wrong type throws a
 * {@link ConfigError} naming the key and where it came from.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const strict = buildSchema(options.sections ?? {});
  const schema = options.allowUnknownSections ? strict.catchall(z.unknown()) : strict;
  const file = configFileOf(env, options.file);

  const fileValues = file === undefined ? {} : readYaml(file);
  const envValues: Record<string, unknown> = {};
  const envSources = new Map<string, string>();

  const setFromEnv = (variable: string, segments: string[], raw: string): void => {
    const resolved = resolvePath(strict, segments);
    if (!resolved) {
      // In the lenient first pass, a plugin's section is not known yet: skip it, the strict pass checks it.
      if (options.allowUnknownSections && !resolvePath(strict, segments.slice(0, 1))) return;
      throw new ConfigError(
        `unknown config key "${segments.join(".")}" (from environment variable ${variable})`,
      );
    }
    setPath(envValues, resolved.path, convertEnvValue(resolved.leaf, raw));
    envSources.set(resolved.path.join("."), variable);
  };

  for (const [variable, path] of Object.entries(NAMED_VARIABLES)) {
    const raw = env[variable];
    if (raw !== undefined && raw !== "") setFromEnv(variable, path, raw);
  }
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(OPTION_PREFIX) || raw === undefined) continue;
    const segments = variable.slice(OPTION_PREFIX.length).split("__");
    if (segments.some((s) => s === "")) {
      throw new ConfigError(
        `environment variable ${variable} does not name a config key (use CORE4_OPTION_a__b)`,
      );
    }
    setFromEnv(variable, segments, raw);
  }

  const merged = deepMerge(deepMerge(fileValues, envValues), options.overrides ?? {});
  const result = schema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const path = [...issue.path.map(String), ...(keys.length === 1 ? keys : [])];
    const key = path.join(".") || "(root)";
    const source = sourceOf(path, envSources, fileValues, file);
    const what =
      issue.code === "unrecognized_keys"
        ? `unknown config key "${[...issue.path.map(String), keys.join(", ")].filter(Boolean).join(".")}"`
        : `invalid config key "${key}": ${issue.message}`;
    throw new ConfigError(`${what} (from ${source})`);
  }
  if (options.jobNames)
    checkJobNames(result.data as Record<string, unknown>, options.jobNames, (path) =>
      sourceOf(path, envSources, fileValues, file),
    );
  return new Config(deepFreeze(result.data as Record<string, unknown>), file);
}

/** Every `jobs.<name>` must name a registered job (docs/contracts.md "Jobs: metadata and policies"). */
function checkJobNames(
  values: Record<string, unknown>,
  jobNames: readonly string[],
  source: (path: string[]) => string,
): void {
  const jobs = (values.jobs ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(jobs)) {
    if (jobNames.includes(name)) continue;
    const known = [...jobNames].sort();
    throw new ConfigError(
      `unknown job "${name}" in config key "jobs" (from ${source(["jobs", name])}; ${known.length ? `registered: ${known.join(", ")}` : "no plugin registers any job"})`,
    );
  }
}

function buildSchema(sections: Record<string, ConfigSectionSchema>): z.ZodObject {
  const extension: Record<string, z.ZodType> = {};
  for (const [name, section] of Object.entries(sections)) {
    if (name in coreConfigSchema.shape) {
      throw new ConfigError(`plugin config section "${name}" clashes with a core config key`);
    }
    extension[name] = section.prefault({});
  }
  return coreConfigSchema.extend(extension);
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read config file ${file}: ${code ?? String(error)}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigError(`config file ${file} is not valid YAML: ${message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(
      `config file ${file} must hold a mapping of keys, not ${Array.isArray(value) ? "a list" : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}

function sourceOf(
  path: string[],
  envSources: Map<string, string>,
  fileValues: Record<string, unknown>,
  file: string | undefined,
): string {
  for (let i = path.length; i > 0; i--) {
    const variable = envSources.get(path.slice(0, i).join("."));
    if (variable) return `environment variable ${variable}`;
  }
  let current: unknown = fileValues;
  let inFile = file !== undefined;
  for (const key of path) {
    if (current === null || typeof current !== "object" || !(key in current)) {
      inFile = false;
      break;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return inFile ? `config file ${file}` : "defaults";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let current = target;
  for (const key of path.slice(0, -1)) {
    const next = current[key];
    if (!isPlainObject(next)) current[key] = {};
    current = current[key] as Record<string, unknown>;
  }
  current[path[path.length - 1] as string] = value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
