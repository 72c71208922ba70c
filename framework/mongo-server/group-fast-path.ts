/**
 * A native evaluator for leading `$group` stages with simple keys and accumulators, so that grouping a
 * large collection does not go through mingo document by document. It covers only what it can answer
 * exactly as the general path does: keys built from constants, field paths through plain sub-documents and
 * `$dateTrunc` in UTC; accumulators `$sum` (of integers), `$count`, and `$first`, `$last`, `$min`, `$max`
 * over present numbers, strings or Dates. On anything else
 * (another operator, an array on a path, a missing key field, a non-number summed...) it gives up and the
 * caller runs the general path over the same input, so answers never differ.
 */
import { canonicalKey, compareValues, type Doc, isPlainObject } from "./bson-values.js";

/** Thrown while evaluating when a document needs the general path. */
const GIVE_UP = Symbol("give up");

type Expr = (doc: Doc) => unknown;

const UTC_ZONES = new Set(["UTC", "utc", "GMT", "Etc/UTC", "Etc/GMT", "Z", "+00:00", "+0000", "+00"]);
const DAY = 86_400_000;
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const UNIT_MS: Record<string, number> = { day: DAY, hour: 3_600_000, minute: 60_000, second: 1000 };

function fieldPath(path: string): Expr | undefined {
  if (path.length < 2 || path.startsWith("$$")) return undefined;
  const parts = path.slice(1).split(".");
  if (parts.some((p) => p === "" || p.startsWith("$") || /^\d+$/.test(p))) return undefined;
  return (doc) => {
    let current: unknown = doc;
    for (const part of parts) {
      if (current === undefined || current === null) return undefined;
      if (!isPlainObject(current)) throw GIVE_UP; // arrays and scalars: the general path knows
      current = current[part];
    }
    if (Array.isArray(current)) throw GIVE_UP;
    return current;
  };
}

function startOfWeek(value: unknown): number | undefined {
  if (value === undefined) return 0; // MongoDB's default is Sunday
  if (typeof value !== "string") return undefined;
  const name = value.toLowerCase();
  const day = WEEKDAYS.findIndex((d) => d === name || d.slice(0, 3) === name);
  return day < 0 ? undefined : day;
}

function dateTrunc(spec: unknown): Expr | undefined {
  if (!isPlainObject(spec)) return undefined;
  const allowed = new Set(["date", "unit", "timezone", "startOfWeek", "binSize"]);
  if (Object.keys(spec).some((k) => !allowed.has(k))) return undefined;
  if (spec.binSize !== undefined && spec.binSize !== 1) return undefined;
  if (spec.timezone !== undefined && !(typeof spec.timezone === "string" && UTC_ZONES.has(spec.timezone)))
    return undefined;
  const date = typeof spec.date === "string" ? fieldPath(spec.date) : undefined;
  if (!date || typeof spec.unit !== "string") return undefined;
  let truncate: (ms: number) => number;
  if (spec.unit === "week") {
    const first = startOfWeek(spec.startOfWeek);
    if (first === undefined) return undefined;
    truncate = (ms) => {
      const day = Math.floor(ms / DAY);
      const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4)
      return (day - ((weekday - first + 7) % 7)) * DAY;
    };
  } else {
    const unit = UNIT_MS[spec.unit];
    if (unit === undefined || spec.startOfWeek !== undefined) return undefined;
    truncate = (ms) => Math.floor(ms / unit) * unit;
  }
  return (doc) => {
    const value = date(doc);
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw GIVE_UP;
    return new Date(truncate(value.getTime()));
  };
}

function compileKey(spec: unknown): Expr | undefined {
  if (spec === null || typeof spec === "number" || typeof spec === "boolean") return () => spec;
  if (typeof spec === "string") return spec.startsWith("$") ? fieldPath(spec) : () => spec;
  if (!isPlainObject(spec)) return undefined;
  const keys = Object.keys(spec);
  if (keys.length === 1 && keys[0] === "$dateTrunc") return dateTrunc(spec.$dateTrunc);
  if (keys.length === 0 || keys.some((k) => k.startsWith("$") || k.includes("."))) return undefined;
  const parts = keys.map((k) => [k, compileKey(spec[k])] as const);
  if (parts.some(([, e]) => !e)) return undefined;
  return (doc) => {
    const out: Doc = {};
    for (const [k, e] of parts) {
      const v = (e as Expr)(doc);
      if (v === undefined) throw GIVE_UP; // missing fields in a key document: the general path decides
      out[k] = v;
    }
    return out;
  };
}

interface Accumulator {
  init(): { v: unknown };
  step(state: { v: unknown }, doc: Doc): void;
}

function compileAccumulator(spec: unknown): Accumulator | undefined {
  if (!isPlainObject(spec)) return undefined;
  const keys = Object.keys(spec);
  if (keys.length !== 1) return undefined;
  const op = keys[0];
  const arg = spec[op];
  if (op === "$count") {
    if (!isPlainObject(arg) || Object.keys(arg).length > 0) return undefined;
    return {
      init: () => ({ v: 0 }),
      step: (s) => {
        s.v = (s.v as number) + 1;
      },
    };
  }
  if (op === "$sum") {
    if (typeof arg === "number" && Number.isInteger(arg))
      return {
        init: () => ({ v: 0 }),
        step: (s) => {
          s.v = (s.v as number) + arg;
        },
      };
    const path = typeof arg === "string" ? fieldPath(arg) : undefined;
    if (!path) return undefined;
    return {
      init: () => ({ v: 0 }),
      step: (s, doc) => {
        const v = path(doc);
        if (v === undefined || v === null) return;
        if (typeof v !== "number" || !Number.isInteger(v)) throw GIVE_UP; // doubles, longs: general path
        s.v = (s.v as number) + v;
      },
    };
  }
  const path = typeof arg === "string" ? fieldPath(arg) : undefined;
  if (!path) return undefined;
  // Only present numbers, strings and Dates, all of one kind per group: mixed types, null and missing
  // fields are left to the general path.
  const scalar = (doc: Doc): number | string | Date => {
    const v = path(doc);
    if (typeof v === "number" ? Number.isNaN(v) : typeof v !== "string" && !(v instanceof Date))
      throw GIVE_UP;
    return v as number | string | Date;
  };
  const kind = (v: unknown) => (v instanceof Date ? "date" : typeof v);
  const sameKind = (s: { v: unknown }, v: unknown) => {
    if (s.v !== GIVE_UP && kind(s.v) !== kind(v)) throw GIVE_UP;
  };
  if (op === "$first") {
    return {
      init: () => ({ v: GIVE_UP }),
      step: (s, doc) => {
        const v = scalar(doc);
        if (s.v === GIVE_UP) s.v = v;
      },
    };
  }
  if (op === "$last")
    return {
      init: () => ({ v: GIVE_UP }),
      step: (s, doc) => {
        s.v = scalar(doc);
      },
    };
  if (op === "$min" || op === "$max") {
    const sign = op === "$min" ? -1 : 1;
    return {
      init: () => ({ v: GIVE_UP }),
      step: (s, doc) => {
        const v = scalar(doc);
        sameKind(s, v);
        if (s.v === GIVE_UP || compareValues(v, s.v) * sign > 0) s.v = v;
      },
    };
  }
  return undefined;
}

interface CompiledGroup {
  key: Expr;
  /** For a key document: its fields' expressions, so the group's identity is computed without building it. */
  parts?: Expr[];
  fields: [string, Accumulator][];
}

function compileGroup(stage: Doc): CompiledGroup | undefined {
  const keys = Object.keys(stage);
  if (keys.length !== 1 || keys[0] !== "$group" || !isPlainObject(stage.$group)) return undefined;
  const spec = stage.$group;
  if (!("_id" in spec)) return undefined;
  const key = compileKey(spec._id);
  if (!key) return undefined;
  const idSpec = spec._id;
  const parts =
    isPlainObject(idSpec) && !("$dateTrunc" in idSpec)
      ? Object.values(idSpec).map((v) => compileKey(v) as Expr)
      : undefined;
  const fields: [string, Accumulator][] = [];
  for (const [name, acc] of Object.entries(spec)) {
    if (name === "_id") continue;
    if (name.startsWith("$") || name.includes(".")) return undefined;
    const compiled = compileAccumulator(acc);
    if (!compiled) return undefined;
    fields.push([name, compiled]);
  }
  return { key, parts, fields };
}

/** A group being accumulated: its `_id` and one state per accumulator. */
interface Group {
  id: unknown;
  states: { v: unknown }[];
}

/**
 * One level of the group table per key part: four maps, so that a string, a number or a Date is looked up
 * as itself (no key string built and hashed per document) while two values fall in the same group
 * exactly when their canonical keys are equal: 1, 1.0 and NumberLong(1) are one number; a Date is apart
 * from its milliseconds; anything else goes by its canonical key.
 */
type Level = [
  strings?: Map<string, Node>,
  numbers?: Map<number, Node>,
  dates?: Map<number, Node>,
  canonical?: Map<string, Node>,
];
type Node = Level | Group;

const STRINGS = 0;
const NUMBERS = 1;
const DATES = 2;
const CANONICAL = 3;

/** Which map of a level holds a value. */
function bucketOf(v: unknown): number {
  if (typeof v === "string") return STRINGS;
  if (typeof v === "number") return NUMBERS;
  if (v instanceof Date) return DATES;
  // A BSON number (Long, Int32, Double, Decimal128) whose canonical key is a plain number's joins numbers.
  return numberOfCanonical(canonicalKey(v)) === undefined ? CANONICAL : NUMBERS;
}

/** The number a canonical key `n<number>` stands for, when a plain number has that same key. */
function numberOfCanonical(key: string): number | undefined {
  if (key[0] !== "n") return undefined;
  const text = key.slice(1);
  const n = Number(text);
  return String(n) === text ? n : undefined;
}

/** The key of a value in its map (see {@link Level}). */
function bucketKey(bucket: number, v: unknown): string | number {
  if (bucket === STRINGS) return v as string;
  if (bucket === DATES) return (v as Date).getTime();
  if (bucket === NUMBERS) return typeof v === "number" ? v : (numberOfCanonical(canonicalKey(v)) as number);
  return canonicalKey(v);
}

function runGroup(docs: Iterable<Doc>, group: CompiledGroup): Doc[] {
  const root: Level = [];
  const groups: Group[] = []; // in order of first appearance, as the general path gives them
  const { parts, fields } = group;
  const depth = parts ? parts.length : 1;
  for (const doc of docs) {
    let level = root;
    let node: Node | undefined;
    for (let i = 0; i < depth; i++) {
      // A key document's fields in their fixed order identify the group, one level each.
      const v = parts ? (parts[i] as Expr)(doc) : group.key(doc);
      if (v === undefined) throw GIVE_UP; // a missing key field: the general path decides
      const bucket = bucketOf(v);
      const key = bucketKey(bucket, v);
      let map = level[bucket] as Map<string | number, Node> | undefined;
      if (!map) {
        map = new Map();
        level[bucket] = map as never;
      }
      node = map.get(key);
      if (node === undefined) {
        if (i < depth - 1) node = [];
        else {
          node = { id: group.key(doc), states: fields.map(([, a]) => a.init()) };
          groups.push(node);
        }
        map.set(key, node);
      }
      if (i < depth - 1) level = node as Level;
    }
    const g = node as Group;
    for (let i = 0; i < fields.length; i++)
      (fields[i] as [string, Accumulator])[1].step(g.states[i] as { v: unknown }, doc);
  }
  const out: Doc[] = new Array(groups.length);
  for (let k = 0; k < groups.length; k++) {
    const g = groups[k] as Group;
    const row: Doc = { _id: g.id };
    for (let i = 0; i < fields.length; i++)
      row[(fields[i] as [string, Accumulator])[0]] = (g.states[i] as { v: unknown }).v;
    out[k] = row;
  }
  return out;
}

/**
 * Runs the pipeline's leading `$group` stages natively. Returns the grouped documents and the stages left
 * for the general path, or undefined when the first stage is not one this evaluator answers exactly.
 */
export function runLeadingGroups(
  docs: Iterable<Doc>,
  stages: Doc[],
): { docs: Doc[]; rest: Doc[] } | undefined {
  const compiled: CompiledGroup[] = [];
  for (const stage of stages) {
    const group = compileGroup(stage);
    if (!group) break;
    compiled.push(group);
  }
  if (compiled.length === 0) return undefined;
  try {
    let current: Iterable<Doc> = docs;
    for (const group of compiled) current = runGroup(current, group);
    return { docs: current as Doc[], rest: stages.slice(compiled.length) };
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}
