import { ObjectId } from "bson";
import { canonicalKey, type Doc, isPlainObject, typeRank } from "./bson-values.js";
import { CommandError, ErrorCodes } from "./command-error.js";
import { compileFilter } from "./mingo-adapter.js";
import { type IndexRange, type IndexSpec, SecondaryIndex } from "./secondary-index.js";

/** The `_id` index every collection has. */
export const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: "_id_" };

interface FieldCondition {
  eq: unknown[] | undefined;
  range: IndexRange | undefined;
}

/** Renders a value the way MongoDB's duplicate-key messages do. */
function renderValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`;
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "[ " + value.map(renderValue).join(", ") + " ]";
  if (isPlainObject(value)) {
    return (
      "{ " +
      Object.entries(value)
        .map(([k, v]) => `${k}: ${renderValue(v)}`)
        .join(", ") +
      " }"
    );
  }
  return String(value);
}

/** The first `$`-prefixed field name inside an `_id` document (MongoDB refuses to store those). */
function dollarKeyIn(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = dollarKeyIn(item);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith("$")) return key;
    const found = dollarKeyIn(inner);
    if (found) return found;
  }
  return undefined;
}

function indexable(value: unknown): boolean {
  return !(value instanceof RegExp) && !Array.isArray(value) && !(isPlainObject(value) && "$regex" in value);
}

/** Collects per-field equality and range conditions from a filter's top level (and nested `$and`). */
function fieldConditions(filter: Doc, out = new Map<string, FieldCondition>()): Map<string, FieldCondition> {
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$and" && Array.isArray(value)) {
      for (const part of value) if (isPlainObject(part)) fieldConditions(part, out);
      continue;
    }
    if (key.startsWith("$")) continue;
    const cond = out.get(key) ?? { eq: undefined, range: undefined };
    const operators = isPlainObject(value) && Object.keys(value).some((k) => k.startsWith("$"));
    if (!operators) {
      if (indexable(value)) cond.eq = [value];
    } else {
      const ops = value as Doc;
      if ("$eq" in ops && indexable(ops.$eq)) cond.eq = [ops.$eq];
      else if (Array.isArray(ops.$in) && ops.$in.every(indexable)) cond.eq = ops.$in;
      const range: IndexRange = {};
      for (const op of ["gt", "gte", "lt", "lte"] as const) {
        const bound = ops[`$${op}`];
        if (bound !== undefined && indexable(bound) && !isPlainObject(bound)) range[op] = bound;
      }
      if (Object.keys(range).length > 0) cond.range = range;
    }
    if (cond.eq || cond.range) out.set(key, cond);
  }
  return out;
}

/** Values whose index comparison is exactly MongoDB's query equality and ordering. */
function simpleScalar(value: unknown): boolean {
  return (
    (typeof value === "number" && Number.isFinite(value)) ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    value instanceof Date ||
    value instanceof ObjectId
  );
}

const RANGE_OPS = new Set(["$gt", "$gte", "$lt", "$lte"]);

/**
 * True when an index plan over `eqFields` (equality/$in) and `rangeField` answers `filter` exactly, so the
 * documents it returns need no further matching.
 */
function exactPlan(filter: Doc, eqFields: string[], rangeField: string | undefined): boolean {
  for (const [key, value] of Object.entries(filter)) {
    const isEq = eqFields.includes(key);
    if (!isEq && key !== rangeField) return false;
    const operators = isPlainObject(value) && Object.keys(value).some((k) => k.startsWith("$"));
    if (!operators) {
      if (!isEq || !simpleScalar(value)) return false;
      continue;
    }
    const ranks = new Set<number>();
    for (const [op, bound] of Object.entries(value as Doc)) {
      if (isEq && op === "$eq" && simpleScalar(bound)) continue;
      if (isEq && op === "$in" && Array.isArray(bound) && bound.every(simpleScalar)) continue;
      if (!isEq && RANGE_OPS.has(op) && simpleScalar(bound)) {
        ranks.add(typeRank(bound));
        continue;
      }
      return false;
    }
    if (ranks.size > 1) return false;
  }
  return true;
}

/** Documents found through an index, and whether they are exactly the filter's matches. */
export interface IndexPlanResult {
  docs: Doc[];
  exact: boolean;
}

/** One collection: documents by `_id` in natural (insertion) order, plus its secondary indexes. */
export class CollectionStore {
  /** Documents keyed by the canonical key of their `_id`. */
  readonly docs = new Map<string, Doc>();
  /** Secondary indexes by name (the `_id_` index is implicit). */
  readonly indexes = new Map<string, SecondaryIndex>();

  constructor(
    readonly db: string,
    readonly name: string,
    /** Creation options (`collMod` may change them). */
    public options: Doc = {},
  ) {}

  /** Namespace `db.collection`. */
  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  /** Index definitions, `_id_` first. */
  indexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...[...this.indexes.values()].map((i) => i.spec)];
  }

  private duplicate(spec: IndexSpec, doc: Doc): CommandError {
    const keyValue: Doc = {};
    for (const field of Object.keys(spec.key)) {
      keyValue[field] =
        field.split(".").reduce<unknown>((v, p) => (isPlainObject(v) ? v[p] : undefined), doc) ?? null;
    }
    const rendered = Object.entries(keyValue)
      .map(([k, v]) => `${k}: ${renderValue(v)}`)
      .join(", ");
    return new CommandError(
      ErrorCodes.DuplicateKey,
      `E11000 duplicate key error collection: ${this.ns} index: ${spec.name} dup key: { ${rendered} }`,
      { keyPattern: { ...spec.key }, keyValue },
    );
  }

  /** Checks a document about to be stored under `id`: valid `_id`, no unique-index conflicts. */
  check(id: string, doc: Doc, replacing: boolean): void {
    const idValue = doc._id;
    if (Array.isArray(idValue))
      throw new CommandError(ErrorCodes.InvalidIdField, "The '_id' value cannot be of type array");
    if (idValue instanceof RegExp)
      throw new CommandError(ErrorCodes.InvalidIdField, "can't use a regex for _id");
    const dollar = dollarKeyIn(idValue);
    if (dollar !== undefined) {
      throw new CommandError(
        ErrorCodes.DollarPrefixedFieldName,
        `_id fields may not contain '$'-prefixed fields: ${dollar} is not valid for storage.`,
      );
    }
    if (!replacing && this.docs.has(id)) throw this.duplicate(ID_INDEX, doc);
    for (const index of this.indexes.values()) {
      if (index.conflict(id, doc) !== undefined) throw this.duplicate(index.spec, doc);
    }
  }

  /** Stores a new document (already checked). */
  insert(id: string, doc: Doc): void {
    this.docs.set(id, doc);
    for (const index of this.indexes.values()) index.add(id, doc);
  }

  /** Loads the index entries of the documents inserted since the last call into the index trees. */
  flushIndexes(): void {
    for (const index of this.indexes.values()) index.flush();
  }

  /** Replaces a stored document (already checked); indexes change only where the key changed. */
  replace(id: string, doc: Doc): void {
    const stored = this.docs.get(id);
    this.docs.set(id, doc);
    for (const index of this.indexes.values()) {
      if (!stored) index.add(id, doc);
      else if (index.changed(stored, doc)) {
        index.remove(id, stored);
        index.add(id, doc);
      }
    }
  }

  /** Removes a document. */
  remove(id: string): void {
    const stored = this.docs.get(id);
    if (stored === undefined) return;
    this.docs.delete(id);
    for (const index of this.indexes.values()) index.remove(id, stored);
  }

  /** Builds an index over the current documents; a unique index over duplicates fails with 11000. */
  addIndex(spec: IndexSpec): void {
    const partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
    const index = new SecondaryIndex(spec, partial);
    for (const [id, doc] of this.docs) {
      if (index.conflict(id, doc) !== undefined) throw this.duplicate(spec, doc);
      index.add(id, doc);
    }
    this.indexes.set(spec.name, index);
  }

  /**
   * Documents that may match `filter`, found through `_id` or the best secondary index; undefined when
   * no index applies (the caller scans everything). The caller still applies the whole filter.
   */
  candidates(filter: Doc | undefined): Doc[] | undefined {
    return this.plan(filter)?.docs;
  }

  /** Like {@link candidates}, also telling whether the index answered the filter exactly. */
  plan(filter: Doc | undefined): IndexPlanResult | undefined {
    if (!filter) return undefined;
    const conds = fieldConditions(filter);
    if (conds.size === 0) return undefined;
    const idCond = conds.get("_id");
    if (idCond?.eq) {
      const out: Doc[] = [];
      const seen = new Set<string>();
      for (const v of idCond.eq) {
        const key = canonicalKey(v);
        const doc = this.docs.get(key);
        if (doc && !seen.has(key)) {
          seen.add(key);
          out.push(doc);
        }
      }
      return { docs: out, exact: exactPlan(filter, ["_id"], undefined) };
    }
    let best:
      | {
          index: SecondaryIndex;
          eqs: unknown[][];
          range?: IndexRange;
          score: number;
          eqFields: string[];
          rangeField?: string;
        }
      | undefined;
    for (const index of this.indexes.values()) {
      if (!index.usableForQueries) continue;
      let eqs: unknown[][] = [[]];
      let range: IndexRange | undefined;
      let rangeField: string | undefined;
      const eqFields: string[] = [];
      let score = 0;
      for (const field of index.fields) {
        const cond = conds.get(field);
        if (cond?.eq && eqs.length * cond.eq.length <= 256) {
          eqs = eqs.flatMap((prefix) => (cond.eq as unknown[]).map((v) => [...prefix, v]));
          eqFields.push(field);
          score += 2;
          continue;
        }
        if (cond?.range) {
          range = cond.range;
          rangeField = field;
          score += 1;
        }
        break;
      }
      if (score > 0 && (!best || score > best.score))
        best = { index, eqs, range, score, eqFields, rangeField };
    }
    if (!best) return undefined;
    const ids = new Set<string>();
    for (const eq of best.eqs) for (const id of best.index.scan(eq, best.range)) ids.add(id);
    const out: Doc[] = [];
    for (const id of ids) {
      const doc = this.docs.get(id);
      if (doc) out.push(doc);
    }
    return { docs: out, exact: exactPlan(filter, best.eqFields, best.rangeField) };
  }
}

/** The fields and common direction of a sort an index walk can give (`{a: 1}`, `{a: -1, b: -1}`). */
function sortWalk(sort: Doc): { fields: string[]; direction: 1 | -1 } | undefined {
  const fields = Object.keys(sort);
  const values = Object.values(sort);
  if (fields.length === 0 || !values.every((v) => v === 1 || v === -1)) return undefined;
  if (!values.every((v) => v === values[0])) return undefined;
  return { fields, direction: values[0] as 1 | -1 };
}

/**
 * Documents that may match `filter`, in `sort` order, read along a secondary index whose fields are
 * single-value equalities of the filter followed by the sort fields (an index keeps BSON order, which is
 * MongoDB's sort order, missing fields as null); undefined when no index gives that order. Documents with
 * equal sort keys come in index order, which MongoDB leaves unspecified as well.
 */
export function sortedPlan(
  store: CollectionStore,
  filter: Doc | undefined,
  sort: Doc,
): IndexPlanResult | undefined {
  const walk = sortWalk(sort);
  if (!walk) return undefined;
  const conds = filter ? fieldConditions(filter) : new Map<string, FieldCondition>();
  const n = walk.fields.length;
  let best: { index: SecondaryIndex; prefix: number } | undefined;
  for (const index of store.indexes.values()) {
    if (!index.usableForQueries) continue;
    for (let k = 0; k + n <= index.fields.length; k++) {
      if (walk.fields.every((f, i) => index.fields[k + i] === f) && (!best || k > best.prefix)) {
        best = { index, prefix: k };
      }
      if (conds.get(index.fields[k] as string)?.eq?.length !== 1) break;
    }
  }
  if (!best) return undefined;
  const eqFields = best.index.fields.slice(0, best.prefix);
  const eq = eqFields.map((f) => conds.get(f)?.eq?.[0]);
  const rangeField = best.index.fields[best.prefix] as string;
  const range = conds.get(rangeField)?.range;
  const ids = best.index.scan(eq, range);
  if (walk.direction === -1) ids.reverse();
  const docs: Doc[] = [];
  for (const id of ids) {
    const doc = store.docs.get(id);
    if (doc) docs.push(doc);
  }
  const exact = !filter || exactPlan(filter, eqFields, range ? rangeField : undefined);
  return { docs, exact };
}

/** The canonical storage key of a document's `_id`. */
export function idKey(id: unknown): string {
  return canonicalKey(id);
}

/** Generates an `_id` for documents that arrive without one. */
export function newObjectId(): ObjectId {
  return new ObjectId();
}
