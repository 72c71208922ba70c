/**
 * Value helpers shared by the store and the indexes: BSON comparison order, canonical keys for equality
 * (1, 1.0 and Long(1) are the same key, as in MongoDB), dotted-path access and copy-on-write cloning.
 */
import { Binary, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from "bson";

/** A stored document. */
export type Doc = Record<string, unknown>;

/** True for plain objects (not arrays, dates or BSON value classes). */
export function isPlainObject(value: unknown): value is Doc {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function numericValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (value instanceof Decimal128) return Number.parseFloat(value.toString());
  return undefined;
}

/** The canonical rank of a value's type in MongoDB's comparison order. */
export function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 1;
  if (value instanceof MinKey) return 0;
  if (value instanceof MaxKey) return 100;
  if (numericValue(value) !== undefined) return 2;
  if (typeof value === "string") return 3;
  if (Array.isArray(value)) return 5;
  if (value instanceof Binary || value instanceof Uint8Array) return 6;
  if (value instanceof ObjectId) return 7;
  if (typeof value === "boolean") return 8;
  if (value instanceof Date) return 9;
  if (value instanceof Timestamp) return 10;
  if (value instanceof RegExp) return 11;
  return 4;
}

/** Compares two values in BSON order (type bracket first, then value). */
export function compareValues(a: unknown, b: unknown): number {
  // Fast paths for the common index key types.
  if (typeof a === "number" && typeof b === "number")
    return a < b ? -1 : a > b ? 1 : a === b ? 0 : compareSlow(a, b);
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  return compareSlow(a, b);
}

function compareSlow(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 2: {
      const x = numericValue(a) as number;
      const y = numericValue(b) as number;
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
      if (Number.isNaN(y)) return 1;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 3:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 7:
      return Buffer.compare((a as ObjectId).id, (b as ObjectId).id);
    case 8:
      return Number(a) - Number(b);
    case 9:
      return (a as Date).getTime() - (b as Date).getTime();
    case 5: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 4: {
      const x = Object.entries(a as Doc);
      const y = Object.entries(b as Doc);
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i][1], y[i][1]) || (x[i][0] < y[i][0] ? -1 : x[i][0] > y[i][0] ? 1 : 0);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default: {
      const x = canonicalKey(a);
      const y = canonicalKey(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/** A string that is equal for two values exactly when MongoDB considers them equal (for index keys). */
export function canonicalKey(value: unknown): string {
  if (value === undefined || value === null) return "z";
  if (typeof value === "string") return "s" + value;
  const num = numericValue(value);
  if (num !== undefined) {
    if (value instanceof Long && !Number.isSafeInteger(num)) return "n" + value.toString();
    return "n" + (Object.is(num, -0) ? 0 : num);
  }
  if (value instanceof ObjectId) return "o" + value.toHexString();
  if (value instanceof Date) return "d" + value.getTime();
  if (typeof value === "boolean") return value ? "bt" : "bf";
  if (Array.isArray(value)) return "[" + value.map(canonicalKey).join(",") + "]";
  if (value instanceof Binary) return "x" + value.sub_type + ":" + Buffer.from(value.buffer).toString("hex");
  if (value instanceof RegExp) return "r" + String(value);
  if (value instanceof Timestamp) return "t" + value.toString();
  if (value instanceof MinKey) return "-";
  if (value instanceof MaxKey) return "+";
  if (isPlainObject(value)) {
    return (
      "{" +
      Object.entries(value)
        .map(([k, v]) => JSON.stringify(k) + ":" + canonicalKey(v))
        .join(",") +
      "}"
    );
  }
  return "?" + String(value);
}

/** Reads a dotted path; arrays on the way yield an array of the values found (MongoDB path semantics). */
export function getPath(doc: unknown, path: string): unknown {
  // A top-level field of a document (the usual index key): no split.
  if (typeof doc === "object" && doc !== null && !Array.isArray(doc) && !path.includes(".")) {
    return (doc as Doc)[path];
  }
  let current: unknown = doc;
  const parts = path.split(".");
  for (let i = 0; i < parts.length; i++) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      const part = parts[i];
      if (/^\d+$/.test(part)) {
        current = current[Number(part)];
        continue;
      }
      const rest = parts.slice(i).join(".");
      const found = current.map((item) => getPath(item, rest)).filter((v) => v !== undefined);
      return found.flat();
    }
    if (typeof current !== "object") return undefined;
    current = (current as Doc)[parts[i]];
  }
  return current;
}

/** Sets a dotted path, creating plain objects on the way (used to seed upserts from a filter). */
export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split(".");
  let current = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = current[parts[i]];
    if (!isPlainObject(next)) current[parts[i]] = {};
    current = current[parts[i]] as Doc;
  }
  current[parts[parts.length - 1]] = value;
}

/**
 * Deep copy of the mutable parts (plain objects, arrays, dates). BSON value classes are immutable in
 * practice and shared.
 */
export function cloneValue<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (isPlainObject(value)) {
    const out: Doc = {};
    for (const key of Object.keys(value)) out[key] = cloneValue(value[key]);
    return out as T;
  }
  return value;
}

/** Returns the document with `_id` as its first field (MongoDB always stores it first). */
export function idFirst(doc: Doc): Doc {
  if (!Object.hasOwn(doc, "_id")) return doc;
  // Only the first key matters: no key array for documents already in order (most writes).
  for (const key in doc) {
    if (key === "_id") return doc;
    break;
  }
  const out: Doc = { _id: doc._id };
  for (const key of Object.keys(doc)) if (key !== "_id") out[key] = doc[key];
  return out;
}
