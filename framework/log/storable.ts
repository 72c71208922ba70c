import { isSecretKey, REDACTED, redactText } from "./redact.js";

/** An Error as stored in a log record: never `{}`, always its message and stack. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  cause?: unknown;
  [field: string]: unknown;
}

const MAX_DEPTH = 8;

/**
 * Turns a log call's extra fields into values MongoDB and JSON can store: errors become
 * `{name, message, stack}`, secrets are redacted, cycles and functions are cut, BSON values and dates kept.
 */
export function toStorable(extra: Record<string, unknown>): Record<string, unknown> {
  return convertObject(extra, 0, new WeakSet());
}

/**
 * {@link toStorable} into an existing object: each field of `extra` not named in `skip` is converted and
 * set on `target` (a field that converts to nothing is left out). The logger builds a sys.log record this
 * way in one object instead of two: every request writes one.
 */
export function storeInto(
  target: Record<string, unknown>,
  extra: Record<string, unknown>,
  skip: ReadonlySet<string>,
): void {
  convertInto(target, extra, 0, new WeakSet(), skip);
}

/** Serializes an Error (with its own fields, such as `code`, and its `cause`). */
export function serializeError(error: Error): SerializedError {
  return convert(error, 0, new WeakSet()) as SerializedError;
}

function convert(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  switch (typeof value) {
    case "string":
      return redactText(value);
    case "number":
    case "boolean":
    case "bigint":
      return value;
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date || Buffer.isBuffer(object) || "_bsontype" in object) return object;
  if (seen.has(object)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Truncated]";
  seen.add(object);
  try {
    if (object instanceof Error) return convertError(object, depth, seen);
    if (Array.isArray(object)) return object.map((v) => convert(v, depth + 1, seen) ?? null);
    if (object instanceof Map) return convertObject(Object.fromEntries(object), depth + 1, seen);
    if (object instanceof Set) return [...object].map((v) => convert(v, depth + 1, seen) ?? null);
    const json = (object as { toJSON?: () => unknown }).toJSON;
    if (typeof json === "function") return convert(json.call(object), depth + 1, seen);
    return convertObject(object as Record<string, unknown>, depth + 1, seen);
  } finally {
    seen.delete(object);
  }
}

function convertError(error: Error, depth: number, seen: WeakSet<object>): SerializedError {
  // message, name and stack are not enumerable: copy them explicitly, then the error's own fields.
  const out: SerializedError = {
    ...convertObject(error as unknown as Record<string, unknown>, depth + 1, seen),
    name: error.name,
    message: redactText(error.message),
  };
  if (error.stack !== undefined) out.stack = redactText(error.stack);
  if (error.cause !== undefined) out.cause = convert(error.cause, depth + 1, seen);
  return out;
}

const NOTHING: ReadonlySet<string> = new Set();

function convertObject(
  object: Record<string, unknown>,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  convertInto(out, object, depth, seen, NOTHING);
  return out;
}

function convertInto(
  out: Record<string, unknown>,
  object: Record<string, unknown>,
  depth: number,
  seen: WeakSet<object>,
  skip: ReadonlySet<string>,
): void {
  // Object.keys, not entries: no [key, value] array per field.
  for (const key of Object.keys(object)) {
    // MongoDB refuses top-level field names starting with "$".
    const field = key.charCodeAt(0) === 36 ? `_${key}` : key;
    if (skip.has(field)) continue;
    if (isSecretKey(key)) {
      out[field] = REDACTED;
      continue;
    }
    const converted = convert(object[key], depth, seen);
    if (converted !== undefined) out[field] = converted;
  }
}
