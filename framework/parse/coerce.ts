import type { z } from "zod";
import { parseBooleanWord } from "./boolean-word.js";
import { isoDateProblem, parseIsoDate } from "./iso-date.js";
import { defOf, unwrapSchema } from "./zod-def.js";

/**
 * The one place core4ts turns text into the type a zod 4 schema expects: environment overrides of the config
 * (`CORE4_OPTION_…`), job arguments (CLI `k=v`, HTTP, `enqueue`), request arguments (`arg.*`) and the usage
 * report's arguments all come here, so `5`, `yes`, `2026-11-27` and `a,b,c` mean the same everywhere.
 *
 * The rules, by the kind the schema expects once `optional`/`nullable`/`default`/`prefault`/`readonly`/
 * `catch` are stripped (the table in docs/configuration.md "How text becomes a value" is the same):
 *
 * | kind | text accepted | value |
 * |---|---|---|
 * | boolean | yes/y/on/1/true/t, no/n/off/0/false/f, any case, space around ignored | `true`/`false` |
 * | number (also int) | what `Number()` reads, not blank, finite (`Infinity` and `NaN` refused) | number |
 * | bigint | what `BigInt()` reads, not blank | bigint |
 * | date | ISO 8601 date or date-time (the one reader, `parseIsoDate`); `2026-02-30` refused | `Date` |
 * | null | empty or `null` | `null` |
 * | literal, enum | one of the values as written; else the one value equal ignoring case | the value as listed |
 * | array | JSON (`[…]`), or `a,b,c` split on commas, each item converted by the element's rule; empty → `[]` | array |
 * | object, record, tuple | JSON | the parsed value, dates inside revived ({@link reviveParsed}) |
 * | union | the first option whose conversion also validates; else the first that converts | per option |
 * | pipe (`.transform`, `.pipe`) | the input schema's rule | per input |
 * | anything else (string, unknown, …) | the text unchanged | the text |
 *
 * Callers differed before this module; the rules chosen, and why:
 * - number refuses non-finite values everywhere (job arguments did; zod 4's `z.number()` refuses them anyway,
 *   so the config's `Number("Infinity")` only moved the refusal). `maxParallel: Infinity` is a literal option.
 * - bigint refuses blank text (`BigInt("")` is `0n`, which silently turned `limit=` into 0).
 * - enum and literal words match ignoring case when no value matches exactly (request arguments'
 *   `arg.choice` did; config and job arguments now accept `Monday` for `monday` too).
 * - union, date, tuple and pipe now convert in config too, and union in job arguments (config did).
 */

/** The outcome of {@link coerceText}: the converted value, or what the schema expected instead. */
export type Coerced =
  | { ok: true; value: unknown }
  | {
      ok: false;
      /** What was expected (`a number`, `JSON`, …). */
      expected: string;
      /** A sentence for the caller to prefix with the argument's name: `expected a number, got "abc"`. */
      message: string;
    };

const BOOLEAN = "yes/no, true/false or 1/0";
const ISO = "an ISO date such as 2026-11-27 or a date-time such as 2026-11-27T10:00:00Z";

function fail(expected: string, text: string): Coerced {
  return { ok: false, expected, message: `expected ${expected}, got "${text}"` };
}

function ok(value: unknown): Coerced {
  return { ok: true, value };
}

/**
 * Converts `text` to what `schema` expects, by the rules above, or says what was expected. It converts only:
 * validating (bounds, formats, required keys) is the schema's job, after this.
 */
export function coerceText(schema: z.ZodType, text: string): Coerced {
  return convert(schema, text, false);
}

/**
 * Like {@link coerceText}, but text (or an array item) that does not convert is returned unchanged, for the
 * schema to reject with its own message (the config's and `arg.*`'s way).
 */
export function coerceTextLoose(schema: z.ZodType, text: string): unknown {
  const result = convert(schema, text, true);
  return result.ok ? result.value : text;
}

function matchValue(values: readonly unknown[], text: string): Coerced {
  const word = text.trim();
  const exact = values.find((v) => String(v) === word);
  if (exact !== undefined) return ok(exact);
  const folded = values.filter((v) => String(v).toLowerCase() === word.toLowerCase());
  if (folded.length === 1) return ok(folded[0]);
  const expected = values.length === 1 ? String(values[0]) : `one of ${values.map(String).join(", ")}`;
  return fail(expected, text);
}

function parseJson(schema: z.ZodType, text: string): Coerced {
  try {
    return ok(reviveParsed(schema, JSON.parse(text)));
  } catch {
    return fail("JSON", text);
  }
}

function convert(schema: z.ZodType, text: string, loose: boolean): Coerced {
  const leaf = unwrapSchema(schema);
  const def = defOf(leaf);
  switch (def.type) {
    case "boolean": {
      const value = parseBooleanWord(text);
      return value === undefined ? fail(BOOLEAN, text) : ok(value);
    }
    case "number":
    case "int": {
      const n = Number(text);
      return text.trim() === "" || !Number.isFinite(n) ? fail("a number", text) : ok(n);
    }
    case "bigint": {
      if (text.trim() === "") return fail("an integer", text);
      try {
        return ok(BigInt(text.trim()));
      } catch {
        return fail("an integer", text);
      }
    }
    case "date": {
      const date = parseIsoDate(text);
      return date ? ok(date.instant) : { ok: false, expected: ISO, message: isoDateProblem(text) };
    }
    case "null":
      return text === "" || text === "null" ? ok(null) : fail("null (empty or the word null)", text);
    case "literal":
      return matchValue(def.values ?? [], text);
    case "enum":
      return matchValue(Object.values(def.entries ?? {}), text);
    case "array": {
      const trimmed = text.trim();
      if (trimmed.startsWith("[")) return parseJson(leaf, trimmed);
      if (trimmed === "") return ok([]);
      const element = def.element;
      const items: unknown[] = [];
      for (const item of trimmed.split(",").map((part) => part.trim())) {
        if (element === undefined) {
          items.push(item);
          continue;
        }
        const result = convert(element, item, loose);
        if (result.ok) items.push(result.value);
        else if (loose) items.push(item);
        else return result;
      }
      return ok(items);
    }
    case "object":
    case "record":
    case "tuple":
      return parseJson(leaf, text.trim());
    case "union": {
      let first: Coerced | undefined;
      const expected: string[] = [];
      for (const option of def.options ?? []) {
        const result = convert(option, text, false);
        if (result.ok) {
          if (option.safeParse(result.value).success) return result;
          first ??= result;
        } else if (!expected.includes(result.expected)) {
          expected.push(result.expected);
        }
      }
      // No option takes it: let the schema say why with the first conversion (`0` for `>= 1 or Infinity`).
      return first ?? fail(expected.join(" or ") || "a value", text);
    }
    case "pipe":
      return def.in ? convert(def.in, text, loose) : ok(text);
    default:
      return ok(text);
  }
}

/**
 * Revives a value parsed from JSON (a JSON body, a JSON argument, arguments stored in Redis) where the schema
 * expects dates: ISO strings become `Date`s, through arrays, tuples, objects, records and pipes. Anything else,
 * including a string that is not a real date, is left for the schema to judge.
 */
export function reviveParsed(schema: z.ZodType, value: unknown): unknown {
  const def = defOf(unwrapSchema(schema));
  switch (def.type) {
    case "date":
      return typeof value === "string" ? (parseIsoDate(value)?.instant ?? value) : value;
    case "array": {
      const element = def.element;
      return element && Array.isArray(value) ? value.map((v) => reviveParsed(element, v)) : value;
    }
    case "tuple": {
      const items = def.items ?? [];
      return Array.isArray(value)
        ? value.map((v, i) => (i < items.length ? reviveParsed(items[i] as z.ZodType, v) : v))
        : value;
    }
    case "object":
    case "record": {
      if (!isPlainObject(value)) return value;
      const shape = def.shape;
      const valueType = def.valueType;
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => {
          const field = shape ? (Object.hasOwn(shape, k) ? shape[k] : undefined) : valueType;
          return [k, field ? reviveParsed(field, v) : v];
        }),
      );
    }
    case "pipe":
      return def.in ? reviveParsed(def.in, value) : value;
    default:
      return value;
  }
}

/** A JSON object, not an array, a `Date` or another class's instance. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const dateCache = new WeakMap<z.ZodType, boolean>();

/** Whether {@link reviveParsed} can change anything: the schema has a date somewhere (cached per schema). */
export function containsDate(schema: z.ZodType): boolean {
  let known = dateCache.get(schema);
  if (known === undefined) {
    dateCache.set(schema, false); // a recursive schema meets itself: no date found on that path
    const def = defOf(unwrapSchema(schema));
    const children: z.ZodType[] = [];
    if (def.type === "date") known = true;
    else {
      if (def.type === "array" && def.element) children.push(def.element);
      if (def.type === "tuple") children.push(...(def.items ?? []));
      if (def.type === "object" && def.shape) children.push(...Object.values(def.shape));
      if (def.type === "record" && def.valueType) children.push(def.valueType);
      if (def.type === "pipe" && def.in) children.push(def.in);
      known = children.some(containsDate);
    }
    dateCache.set(schema, known);
  }
  return known;
}
