import { z } from "zod";
import { parseBooleanWord } from "../../framework/parse/boolean-word.js";
import { parseIsoDate } from "../../framework/parse/iso-date.js";

function toNumber(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  return trimmed === "" ? value : Number(trimmed);
}

/** Inclusive bounds of a numeric argument. */
export interface Bounds {
  min?: number;
  max?: number;
}

function bounded(schema: z.ZodNumber, { min, max }: Bounds): z.ZodNumber {
  let out = schema;
  if (min !== undefined) out = out.min(min, { error: `expected a number of at least ${min}` });
  if (max !== undefined) out = out.max(max, { error: `expected a number of at most ${max}` });
  return out;
}

/**
 * Zod schemas for request arguments. Query and form values arrive as strings and JSON values with their
 * own types; these accept both, so a GET query and a POST JSON body give the same result.
 *
 * @example
 * const days = getArgument(ctx, "days", arg.int({ min: 1 }).default(7));
 */
export const arg = {
  /** Any string. */
  string: () => z.string({ error: "expected a string" }),

  /** An integer (`"42"` or `42`), optionally within bounds. */
  int: (bounds: Bounds = {}) =>
    z.preprocess(
      toNumber,
      bounded(z.number({ error: "expected an integer" }).int({ error: "expected an integer" }), bounds),
    ),

  /** A finite number (`"2.5"` or `2.5`), optionally within bounds. */
  number: (bounds: Bounds = {}) =>
    z.preprocess(toNumber, bounded(z.number({ error: "expected a number" }), bounds)),

  /** A boolean: `yes/y/on/1/true/t` or `no/n/off/0/false/f` (any case), or a JSON boolean. */
  boolean: () =>
    z.preprocess(
      (value) => {
        if (typeof value === "number" && (value === 0 || value === 1)) return value === 1;
        if (typeof value !== "string") return value;
        return parseBooleanWord(value) ?? value;
      },
      z.boolean({ error: "expected a boolean (yes/no, true/false, on/off, 1/0)" }),
    ),

  /**
   * An ISO 8601 date or date-time (`2026-11-27`, `2026-11-27T10:00:00Z`), as a `Date`; a day that does not
   * exist (`2026-02-30`) is refused, not rolled over. A date alone is UTC midnight.
   */
  date: () =>
    z.preprocess(
      (value) => (typeof value === "string" ? (parseIsoDate(value)?.instant ?? value) : value),
      z.date({ error: "expected an ISO date like 2026-11-27 or date-time like 2026-11-27T10:00:00Z" }),
    ),

  /** One of the given words, case-insensitive; the result is the word as listed. */
  choice: <const T extends readonly [string, ...string[]]>(values: T) =>
    z.preprocess(
      (value) => {
        if (typeof value !== "string") return value;
        const found = values.find((v) => v.toLowerCase() === value.trim().toLowerCase());
        return found ?? value;
      },
      z.enum(values, { error: `expected one of ${values.join(", ")}` }),
    ),

  /** A JSON value: parsed from a string (query or form) or taken as is (JSON body), then checked. */
  json: <T extends z.ZodType>(schema: T) =>
    z.preprocess((value) => {
      if (typeof value !== "string") return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    }, schema),
};
