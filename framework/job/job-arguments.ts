import { createHash } from "node:crypto";
import { z } from "zod";
import { parseBooleanWord } from "../parse/boolean-word.js";
import { isoDateProblem, parseIsoDate } from "../parse/iso-date.js";
import { defOf, unwrapSchema } from "../parse/zod-def.js";
import { JobArgumentError } from "./errors/index.js";

/** Arguments as they arrive: a JSON object, HTTP parameters, or CLI `k=v` pairs already split. */
export type RawJobArgs = Readonly<Record<string, unknown>>;

/**
 * Splits CLI `k=v` words into raw arguments (`start=2026-01-01 reset=yes`). A key given twice keeps the
 * last value (core4's rule for repeated parameters).
 */
export function parseKeyValueArgs(words: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of words) {
    const at = word.indexOf("=");
    if (at <= 0) throw new JobArgumentError(`argument "${word}" must be written as key=value`, word);
    // An own property even for `__proto__` (plain assignment would set the prototype and drop the name).
    Object.defineProperty(out, word.slice(0, at), {
      value: word.slice(at + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Converts raw arguments to what the schema expects (ISO strings to dates, yes/no/true/false/1/0 to
 * booleans, numeric strings to numbers, JSON text to arrays and objects) and validates them. Unknown
 * arguments and bad values throw a {@link JobArgumentError} naming the argument.
 */
export function parseJobArgs<S extends z.ZodObject>(
  jobName: string,
  schema: S,
  raw: RawJobArgs | undefined,
): z.output<S> {
  const input = raw ?? {};
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new JobArgumentError(`arguments of ${jobName} must be an object of name: value`);
  }
  const shape = schema.shape as Record<string, z.ZodType>;
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    // Own names only: `constructor`, `__proto__` or `toString` are inherited, not arguments.
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (field === undefined) {
      const known = Object.keys(shape);
      throw new JobArgumentError(
        `unknown argument "${key}" for ${jobName} (${known.length ? `expected ${known.join(", ")}` : "it takes no arguments"})`,
        key,
      );
    }
    converted[key] = convertValue(jobName, key, field, value);
  }
  const result = schema.safeParse(converted);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    const key = issue.path.map(String).join(".") || "(arguments)";
    const top = String(issue.path[0] ?? "");
    if (issue.path.length === 1 && issue.code === "invalid_type" && converted[top] === undefined) {
      // zod says "expected date, received undefined": say what to add instead.
      throw new JobArgumentError(
        `missing argument "${key}" for ${jobName} (required: give ${key}=<${issue.expected}>)`,
        top,
      );
    }
    throw new JobArgumentError(`invalid argument "${key}" for ${jobName}: ${issue.message}`, top);
  }
  return result.data;
}

function convertValue(jobName: string, key: string, field: z.ZodType, value: unknown): unknown {
  if (typeof value !== "string") {
    return value;
  }
  const leaf = unwrapSchema(field);
  const def = defOf(leaf);
  const fail = (expected: string): never => {
    throw new JobArgumentError(
      `invalid argument "${key}" for ${jobName}: expected ${expected}, got "${value}"`,
      key,
    );
  };
  switch (def.type) {
    case "date": {
      const date = parseIsoDate(value);
      if (date === undefined) {
        throw new JobArgumentError(`invalid argument "${key}" for ${jobName}: ${isoDateProblem(value)}`, key);
      }
      return date.instant;
    }
    case "boolean":
      return parseBooleanWord(value) ?? fail("yes/no, true/false or 1/0");
    case "number": {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n)) return fail("a number");
      return n;
    }
    case "bigint": {
      try {
        return BigInt(value.trim());
      } catch {
        return fail("an integer");
      }
    }
    case "null":
      return value === "" || value === "null" ? null : value;
    case "array":
    case "object":
    case "record":
    case "tuple": {
      const text = value.trim();
      if (def.type === "array" && !text.startsWith("[")) {
        // CLI convenience: a,b,c
        const element = def.element;
        return text === ""
          ? []
          : text
              .split(",")
              .map((item) => (element ? convertValue(jobName, key, element, item.trim()) : item));
      }
      try {
        return reviveDates(leaf, JSON.parse(text));
      } catch {
        return fail("JSON");
      }
    }
    case "pipe":
      return def.in ? convertValue(jobName, key, def.in, value) : value;
    default:
      return value;
  }
}

/** Converts ISO strings inside parsed JSON where the schema expects dates (nested objects and arrays). */
function reviveDates(schema: z.ZodType, value: unknown): unknown {
  const def = defOf(unwrapSchema(schema));
  if (def.type === "date" && typeof value === "string") return parseIsoDate(value)?.instant ?? value;
  if (def.type === "array" && def.element && Array.isArray(value)) {
    const element = def.element;
    return value.map((v) => reviveDates(element, v));
  }
  if (
    def.type === "object" &&
    def.shape &&
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value)
  ) {
    const shape = def.shape;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        Object.hasOwn(shape, k) ? reviveDates(shape[k] as z.ZodType, v) : v,
      ]),
    );
  }
  return value;
}

/**
 * Restores arguments stored by {@link serializeJobArgs} (dates as ISO strings) to their types. Arguments
 * validated at enqueue (`validated`) only get their dates back: they already hold the schema's output,
 * defaults included. Others (a schedule's `{}`) are parsed by the schema, which applies its defaults.
 */
export function restoreJobArgs<S extends z.ZodObject>(
  jobName: string,
  schema: S,
  stored: unknown,
  validated = false,
): z.output<S> {
  const value = stored ?? {};
  if (validated) {
    return (containsDate(schema) ? reviveDates(schema, value) : { ...(value as object) }) as z.output<S>;
  }
  const result = schema.safeParse(reviveDates(schema, value));
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    const key = issue.path.map(String).join(".") || "(arguments)";
    throw new JobArgumentError(
      `stored argument "${key}" of ${jobName} no longer fits its schema: ${issue.message}`,
      key,
    );
  }
  return result.data;
}

const dateCache = new WeakMap<z.ZodType, boolean>();

/** Whether a schema has a date anywhere (cached: the worker asks once per job). */
function containsDate(schema: z.ZodType): boolean {
  let known = dateCache.get(schema);
  if (known === undefined) {
    const def = defOf(unwrapSchema(schema));
    if (def.type === "date") known = true;
    else if (def.type === "array" && def.element) known = containsDate(def.element);
    else if (def.type === "object" && def.shape) known = Object.values(def.shape).some(containsDate);
    else known = false;
    dateCache.set(schema, known);
  }
  return known;
}

/** Arguments as stored in Redis and sys.journal: plain JSON, dates as ISO strings. */
export function serializeJobArgs(args: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(args ?? {}, (_key, value: unknown) =>
      typeof value === "bigint" ? value.toString() : value,
    ),
  );
}

/**
 * A stable key for "the same job": the job name and its serialized arguments with keys sorted, hashed.
 * Two enqueues with equal name and arguments get the same key whatever the argument order.
 */
export function jobIdentityKey(jobName: string, serializedArgs: Record<string, unknown>): string {
  return createHash("sha1")
    .update(jobName)
    .update("\0")
    .update(stableStringify(serializedArgs))
    .digest("hex");
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** An empty argument schema, for jobs that take none. */
export const noArgs = z.object({});
