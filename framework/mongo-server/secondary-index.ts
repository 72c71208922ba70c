import sortedBtree from "sorted-btree";
import * as bulkLoadModule from "sorted-btree/extended/bulkLoad.js";
import { canonicalKey, compareValues, type Doc, getPath, typeRank } from "./bson-values.js";
import { type Collation, parseCollation } from "./collation.js";

/** An index definition as `createIndexes` takes it and `listIndexes` returns it. */
export interface IndexSpec {
  v: number;
  key: Record<string, number>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: number;
  /** The index's collation (strings compare by it, for uniqueness too). */
  collation?: Doc;
}

function collated(value: unknown, collation: Collation): unknown {
  if (typeof value === "string") return collation.key(value);
  if (Array.isArray(value)) return value.map((v) => collated(v, collation));
  return value;
}

/** Bounds on the index's leading fields: equality values for a prefix, then an optional range. */
export interface IndexRange {
  gt?: unknown;
  gte?: unknown;
  lt?: unknown;
  lte?: unknown;
}

interface Entry {
  k: unknown[];
  id: string;
  /** For a one-field key that is a number or a Date: its type bracket and numeric value, for fast sorting (r is 0 otherwise). */
  r: number;
  n: number;
}

/** The fast-sort fields of an entry whose single key is a non-NaN number or a valid Date. */
function fastKey(entry: Entry): Entry {
  if (entry.k.length !== 1) return entry;
  const v = entry.k[0];
  if (typeof v === "number" && !Number.isNaN(v)) {
    entry.r = 2;
    entry.n = v;
  } else if (v instanceof Date && !Number.isNaN(v.getTime())) {
    entry.r = 9;
    entry.n = v.getTime();
  }
  return entry;
}

// A CommonJS module whose class is its `default` export: Node hands over the exports object, bundlers
// that honour `__esModule` (vitest) the class itself.
const BTree = ("default" in sortedBtree ? sortedBtree.default : sortedBtree) as typeof sortedBtree.default;
// The same CommonJS interop for the bulk loader: a named export under Node, inside `default` elsewhere.
const bulkLoadExports = bulkLoadModule as Partial<typeof bulkLoadModule> & {
  default?: typeof bulkLoadModule;
};
const bulkLoad = (bulkLoadExports.bulkLoad ??
  bulkLoadExports.default?.bulkLoad) as typeof bulkLoadModule.bulkLoad;

const NODE_SIZE = 64;

/**
 * Sorts entries in index order. When every entry has a fast key of the same type bracket (a date or a
 * number index), the numbers are sorted natively and only entries sharing a value are compared by id,
 * which is several times faster than a comparator sort.
 */
function sortEntries(entries: Entry[]): Entry[] {
  const r = entries[0]?.r ?? 0;
  if (r === 0 || !entries.every((e) => e.r === r)) return entries.sort(compareEntries);
  return sortPacked(entries) ?? sortGrouped(entries);
}

/**
 * Integer keys (dates are milliseconds) whose span times the batch size stays exact in a double: each
 * entry becomes `(value - min) * count + position`, one native Float64Array sort orders them, and runs of
 * equal values are then put in id order. Undefined when the keys do not allow it.
 */
function sortPacked(entries: Entry[]): Entry[] | undefined {
  const count = entries.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const e of entries) {
    if (!Number.isInteger(e.n)) return undefined;
    if (e.n < min) min = e.n;
    if (e.n > max) max = e.n;
  }
  if ((max - min + 1) * count > Number.MAX_SAFE_INTEGER) return undefined;
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) keys[i] = ((entries[i] as Entry).n - min) * count + i;
  keys.sort();
  const out = new Array<Entry>(count);
  for (let i = 0; i < count; i++) out[i] = entries[(keys[i] as number) % count] as Entry;
  // Equal values came out in insertion order; the tree orders them by id.
  let start = 0;
  for (let i = 1; i <= count; i++) {
    if (i < count && (out[i] as Entry).n === (out[start] as Entry).n) continue;
    if (i - start > 1) {
      const run = out.slice(start, i).sort(compareEntries);
      for (let k = 0; k < run.length; k++) out[start + k] = run[k] as Entry;
    }
    start = i;
  }
  return out;
}

/** Any fast keys: grouped by value in a map, the distinct values sorted natively. */
function sortGrouped(entries: Entry[]): Entry[] {
  const byValue = new Map<number, Entry | Entry[]>();
  const values = new Float64Array(entries.length);
  let distinct = 0;
  for (const e of entries) {
    const prev = byValue.get(e.n);
    if (prev === undefined) {
      byValue.set(e.n, e);
      values[distinct++] = e.n;
    } else if (Array.isArray(prev)) prev.push(e);
    else byValue.set(e.n, [prev, e]);
  }
  const out: Entry[] = [];
  for (const n of values.subarray(0, distinct).sort()) {
    const group = byValue.get(n) as Entry | Entry[];
    if (Array.isArray(group)) out.push(...group.sort(compareEntries));
    else out.push(group);
  }
  return out;
}

/** Merges two sorted entry lists. */
function mergeEntries(a: Entry[], b: Entry[]): Entry[] {
  const out: Entry[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length)
    out[k++] = compareEntries(a[i] as Entry, b[j] as Entry) <= 0 ? (a[i++] as Entry) : (b[j++] as Entry);
  while (i < a.length) out[k++] = a[i++] as Entry;
  while (j < b.length) out[k++] = b[j++] as Entry;
  return out;
}

/** Pads a probe key below every real value (probes only, never stored). */
const LOW: unique symbol = Symbol("low");

function compareKeys(x: unknown, y: unknown): number {
  if (x === LOW) return y === LOW ? 0 : -1;
  if (y === LOW) return 1;
  return compareValues(x, y);
}

function compareTuples(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareKeys(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function compareEntries(a: Entry, b: Entry): number {
  if (a.r !== 0 && a.r === b.r) {
    const x = a.n;
    const y = b.n;
    if (x !== y) return x < y ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }
  return compareTuples(a.k, b.k) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * A secondary index: entries kept in a B+ tree ordered by (key tuple, document key) in BSON order, so
 * equality prefixes and a range on the next field are one descent and a walk along the leaves, and every
 * insert or removal is O(log n) whatever the order of the writes (upserts one by one, bulk inserts).
 */
export class SecondaryIndex {
  /** Indexed field paths in key order. */
  readonly fields: string[];
  private tree = new BTree<Entry, undefined>(undefined, compareEntries, NODE_SIZE);
  /**
   * Entries added but not yet in the tree: a batch of inserts is sorted and loaded at once (see
   * {@link flush}), far cheaper than one tree descent per document. Uniqueness checks do not need the tree.
   */
  private pending: Entry[] = [];
  /** Documents in the index (entries in the tree plus pending ones). */
  private count = 0;
  private readonly uniqueKeys = new Map<string, string>();
  private multikeyDocs = 0;
  private readonly multikey = new Set<string>();
  private readonly collation: Collation | undefined;

  /**
   * @param spec the index definition.
   * @param partialMatch tests `partialFilterExpression` (documents that fail it are not indexed).
   */
  constructor(
    readonly spec: IndexSpec,
    private readonly partialMatch?: (doc: Doc) => boolean,
  ) {
    this.fields = Object.keys(spec.key);
    this.collation = parseCollation(spec.collation);
  }

  /** True when lookups through this index return every matching document (no sparse/partial/array gaps). */
  get usableForQueries(): boolean {
    // A collated index orders strings by collation keys, not as queries compare them: scans answer instead.
    return this.multikeyDocs === 0 && !this.spec.sparse && !this.partialMatch && !this.collation;
  }

  /** The key tuple of a document, or undefined when the document is not in this index. */
  keyOf(doc: Doc): unknown[] | undefined {
    if (this.partialMatch && !this.partialMatch(doc)) return undefined;
    const collation = this.collation;
    if (this.fields.length === 1 && !collation && !this.spec.sparse) {
      const v = getPath(doc, this.fields[0] as string);
      return [v === undefined ? null : v];
    }
    const k = this.fields.map((f) => {
      const v = getPath(doc, f);
      if (v === undefined) return null;
      return collation ? collated(v, collation) : v;
    });
    if (this.spec.sparse && this.fields.every((f) => getPath(doc, f) === undefined)) return undefined;
    return k;
  }

  /** For a unique index: the key of another document holding the same key tuple, if any. */
  conflict(id: string, doc: Doc): string | undefined {
    if (!this.spec.unique) return undefined;
    const k = this.keyOf(doc);
    if (!k) return undefined;
    const other = this.uniqueKeys.get(canonicalKey(k));
    return other !== undefined && other !== id ? other : undefined;
  }

  /** True when a replacement document's key tuple differs from the stored document's. */
  changed(stored: Doc, replacement: Doc): boolean {
    const before = this.keyOf(stored);
    const after = this.keyOf(replacement);
    if (!before || !after) return before !== undefined || after !== undefined;
    return compareTuples(before, after) !== 0 || before.some(Array.isArray) !== after.some(Array.isArray);
  }

  /**
   * Adds a document that is not in the index (a new one, or a replacement after {@link remove} of the
   * stored one). The index keeps no map of its own from document to entry: the store holds the
   * documents, and an entry is rebuilt from the stored document to remove it — one map insert less per
   * document and per index on every write, and no second copy of every key in memory.
   */
  add(id: string, doc: Doc): void {
    const k = this.keyOf(doc);
    if (!k) return;
    this.count++;
    if (this.spec.unique) this.uniqueKeys.set(canonicalKey(k), id);
    if (k.some(Array.isArray)) {
      this.multikeyDocs++;
      this.multikey.add(id);
    }
    this.pending.push(fastKey({ k, id, r: 0, n: 0 }));
  }

  /** Moves the entries added since the last flush into the tree (before any read of the tree). */
  flush(): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    if (pending.length === 1) {
      this.tree.set(pending[0] as Entry, undefined);
      return;
    }
    const sorted = sortEntries(pending);
    const size = this.tree.size;
    // One by one when the batch is small beside the tree, or when it all falls between the same two
    // entries of the tree (time-ordered keys such as request ids and dates, which grow at one place): the
    // inserts then touch a few neighbouring leaves, far cheaper than rebuilding the tree around the batch.
    if (size > 0 && (sorted.length * 16 < size || this.oneGap(sorted))) {
      for (const e of sorted) this.tree.set(e, undefined);
      return;
    }
    const all = size === 0 ? sorted : mergeEntries(this.tree.keysArray(), sorted);
    this.tree = bulkLoad(
      all,
      all.map(() => undefined),
      NODE_SIZE,
      compareEntries,
    );
  }

  /** Whether every entry of a sorted batch would go between the same two entries of the tree. */
  private oneGap(sorted: readonly Entry[]): boolean {
    const first = this.tree.nextHigherKey(sorted[0] as Entry);
    return first === this.tree.nextHigherKey(sorted[sorted.length - 1] as Entry);
  }

  /** Removes a document, given as it was stored (its entry is rebuilt from it). */
  remove(id: string, stored: Doc): void {
    const k = this.keyOf(stored);
    if (!k) return;
    this.flush();
    if (!this.tree.delete(fastKey({ k, id, r: 0, n: 0 })) && !this.removeById(id)) return;
    this.count--;
    if (this.spec.unique) {
      const key = canonicalKey(k);
      if (this.uniqueKeys.get(key) === id) this.uniqueKeys.delete(key);
    }
    if (this.multikey.delete(id)) this.multikeyDocs--;
  }

  /**
   * The entry of `id` found by a walk of the whole tree: only when the stored document no longer gives
   * the key it was indexed under (a stored document is never changed in place; this keeps the index
   * right if one ever were).
   */
  private removeById(id: string): boolean {
    for (const entry of this.tree.keys()) {
      if (entry.id === id) return this.tree.delete(entry);
    }
    return false;
  }

  /** Number of documents in the index. */
  get size(): number {
    return this.count;
  }

  /**
   * Document keys whose leading fields equal `eq` and whose next field (if `range` is given) lies in the
   * range, in index order. One-sided ranges stay inside the bound's type bracket, as in MongoDB.
   */
  scan(eq: unknown[], range?: IndexRange): string[] {
    this.flush();
    const m = eq.length;
    const lower = range?.gte !== undefined ? range.gte : range?.gt;
    const upper = range?.lte !== undefined ? range.lte : range?.lt;
    const position = (e: Entry): number => {
      for (let i = 0; i < m; i++) {
        const c = compareValues(e.k[i], eq[i]);
        if (c !== 0) return c;
      }
      if (!range) return 0;
      const v = e.k[m];
      if (lower !== undefined) {
        const c = compareValues(v, lower);
        if (c < 0 || (c === 0 && range.gte === undefined)) return -1;
      } else if (upper !== undefined && typeRank(v) < typeRank(upper)) {
        return -1; // one-sided ranges stay in their type bracket, as in MongoDB
      }
      if (upper !== undefined) {
        const c = compareValues(v, upper);
        if (c > 0 || (c === 0 && range.lte === undefined)) return 1;
      } else if (lower !== undefined && typeRank(v) > typeRank(lower)) {
        return 1;
      }
      return 0;
    };
    // Start at the first entry with the equality prefix (and the lower bound); entries below the range
    // that sort there (a `$gt` bound's equals, lower type brackets) are skipped.
    const probe: unknown[] = [...eq];
    if (lower !== undefined) probe.push(lower);
    while (probe.length < this.fields.length) probe.push(LOW);
    const out: string[] = [];
    for (const e of this.tree.keys({ k: probe, id: "", r: 0, n: 0 })) {
      const p = position(e);
      if (p > 0) break;
      if (p === 0) out.push(e.id);
    }
    return out;
  }
}
