import { hash } from "node:crypto";
import { z } from "zod";
import { coerceText, containsDate, reviveParsed } from "../parse/coerce.js";
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

/**
 * Text goes through the shared rules (framework/parse/coerce.ts), strictly: text that does not convert is
 * refused here, naming the argument. Values that came as JSON keep their types, with ISO strings revived
 * where the schema expects dates.
 */
function convertValue(jobName: string, key: string, field: z.ZodType, value: unknown): unknown {
  if (typeof value !== "string") return reviveParsed(field, value);
  const result = coerceText(field, value);
  if (!result.ok)
    throw new JobArgumentError(`invalid argument "${key}" for ${jobName}: ${result.message}`, key);
  return result.value;
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
    return (containsDate(schema) ? reviveParsed(schema, value) : { ...(value as object) }) as z.output<S>;
  }
  const result = schema.safeParse(reviveParsed(schema, value));
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
  // One-shot hash: a Hash object and three updates cost every enqueue about twice as much. The text
  // hashed never changes between versions: queued jobs keep their key across an upgrade.
  return hash("sha1", `${jobName}\0${stableStringify(serializedArgs)}`, "hex");
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    let out = "";
    // Keys in UTF-16 code unit order (sort's default for strings), undefined values left out.
    for (const key of Object.keys(record).sort()) {
      const v = record[key];
      if (v === undefined) continue;
      out += `${out === "" ? "" : ","}${JSON.stringify(key)}:${stableStringify(v)}`;
    }
    return `{${out}}`;
  }
  return JSON.stringify(value);
}

/** An empty argument schema, for jobs that take none. */
export const noArgs = z.object({});
