import { z } from "zod";
import { coerceTextLoose, reviveParsed } from "../../framework/parse/index.js";

/**
 * `schema` preceded by the shared text rules (framework/parse/coerce.ts; docs/configuration.md "How text
 * becomes a value"): a query or form string is converted to the schema's type, a JSON body's value is taken
 * as it is (ISO strings revived where the schema expects dates). What does not convert is left for `schema`
 * to refuse with its own message.
 */
function fromText<T extends z.ZodType>(schema: T, before: (value: unknown) => unknown = (value) => value) {
  return z.preprocess((given) => {
    const value = before(given);
    return typeof value === "string" ? coerceTextLoose(schema, value) : reviveParsed(schema, value);
  }, schema);
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
    fromText(
      bounded(z.number({ error: "expected an integer" }).int({ error: "expected an integer" }), bounds),
    ),

  /** A finite number (`"2.5"` or `2.5`), optionally within bounds. */
  number: (bounds: Bounds = {}) => fromText(bounded(z.number({ error: "expected a number" }), bounds)),

  /** A boolean: `yes/y/on/1/true/t` or `no/n/off/0/false/f` (any case), or a JSON boolean, 0 or 1. */
  boolean: () =>
    fromText(z.boolean({ error: "expected a boolean (yes/no, true/false, on/off, 1/0)" }), (value) =>
      value === 0 || value === 1 ? value === 1 : value,
    ),

  /**
   * An ISO 8601 date or date-time (`2026-11-27`, `2026-11-27T10:00:00Z`), as a `Date`; a day that does not
   * exist (`2026-02-30`) is refused, not rolled over. A date alone is UTC midnight.
   */
  date: () =>
    fromText(
      z.date({ error: "expected an ISO date like 2026-11-27 or date-time like 2026-11-27T10:00:00Z" }),
    ),

  /**
   * One of the given words, case-insensitive; the result is the word as listed. `aliases` are other words
   * for a listed one (`{ d: "day" }`), also case-insensitive, and named in the message.
   */
  choice: <const T extends readonly [string, ...string[]]>(
    values: T,
    aliases: Readonly<Record<string, T[number]>> = {},
  ) => {
    const others = Object.keys(aliases);
    const message = `expected one of ${values.join(", ")}${others.length ? ` (or ${others.join(", ")})` : ""}`;
    const byWord = new Map(Object.entries(aliases).map(([alias, word]) => [alias.toLowerCase(), word]));
    return fromText(z.enum(values, { error: message }), (value) =>
      typeof value === "string" ? (byWord.get(value.trim().toLowerCase()) ?? value) : value,
    );
  },

  /** A JSON value: parsed from a string (query or form) or taken as is (JSON body), then checked. */
  json: <T extends z.ZodType>(schema: T) =>
    z.preprocess((value) => {
      if (typeof value !== "string") return reviveParsed(schema, value);
      try {
        return reviveParsed(schema, JSON.parse(value));
      } catch {
        return value;
      }
    }, schema),
};
