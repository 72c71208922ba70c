import type { z } from "zod";
import { HttpError } from "../errors/http-error.js";
import type { Core4Context } from "../router/types.js";

function last(value: unknown): unknown {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The raw value of an argument: the request body's (JSON or form) if it has one, else the query string's.
 * A repeated query or form argument gives its last value; a JSON body's values keep their JSON types.
 * Undefined when absent.
 */
export function rawArgument(ctx: Core4Context, name: string): unknown {
  const body: unknown = ctx.request.body;
  if (isRecord(body) && Object.hasOwn(body, name)) {
    const value = body[name];
    return ctx.request.is("json") ? value : last(value);
  }
  // No query string (most API calls, every health check): nothing to parse.
  if (ctx.querystring === "") return undefined;
  return last(ctx.query[name]);
}

function describe(name: string, error: z.ZodError, raw: unknown): string {
  const issue = error.issues[0];
  if (!issue) return `argument "${name}" is invalid`;
  if (raw === undefined && issue.path.length === 0) return `argument "${name}" is required`;
  const where = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
  return `argument "${name}${where}": ${issue.message}`;
}

/**
 * Reads one typed argument from the query and the JSON or form body (the body wins; the last repeated
 * value wins) and validates it with a zod schema. Absent arguments are passed as `undefined`, so
 * `.optional()` and `.default(x)` work as usual.
 *
 * @throws HttpError 400 naming the argument and what was expected.
 * @example
 * const aggregate = getArgument(ctx, "aggregate", arg.choice(["day", "week"]).default("week"));
 */
export function getArgument<T extends z.ZodType>(ctx: Core4Context, name: string, schema: T): z.output<T> {
  const raw = rawArgument(ctx, name);
  const result = schema.safeParse(raw);
  if (!result.success) throw HttpError.badRequest(describe(name, result.error, raw));
  return result.data;
}

/**
 * Reads several arguments at once, each validated by its schema; the first bad one gives a 400 naming it.
 * Arguments not listed are ignored.
 *
 * @example
 * const { start, end } = getArguments(ctx, { start: arg.date().optional(), end: arg.date().optional() });
 */
export function getArguments<S extends Record<string, z.ZodType>>(
  ctx: Core4Context,
  shape: S,
): { [K in keyof S]: z.output<S[K]> } {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(shape)) out[name] = getArgument(ctx, name, schema);
  return out as { [K in keyof S]: z.output<S[K]> };
}
