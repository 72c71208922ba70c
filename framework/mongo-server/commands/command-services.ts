import { calculateObjectSize, Long } from "bson";
import { canonicalKey, cloneValue, type Doc, isPlainObject } from "../bson-values.js";
import { type Collation, parseCollation } from "../collation.js";
import { type CollectionStore, sortedPlan } from "../collection-store.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import type { CursorRegistry } from "../cursor-registry.js";
import { validationFailure } from "../document-validator.js";
import { compileFilter, runPipeline } from "../mingo-adapter.js";
import { SessionCache } from "../session-cache.js";
import type { StorageEngine } from "../storage-engine.js";
import { MAX_BSON_OBJECT_SIZE } from "../wire-protocol.js";
import { str } from "./command-kit.js";

const DEFAULT_BATCH_SIZE = 101;
/** MongoDB's limit on views defined on views. */
const MAX_VIEW_DEPTH = 20;

/** True for a catalog entry that is a view (`create` with `viewOn`). */
export function isView(store: CollectionStore | undefined): boolean {
  return typeof store?.options.viewOn === "string";
}
/** Room left in a reply for the cursor envelope around a batch. */
const BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 16 * 1024;

/** The server state command families work on, and the helpers several of them use. */
export class CommandServices {
  readonly startedAt = Date.now();
  /**
   * The running command's `bypassDocumentValidation`. Set by the dispatcher around each (synchronous)
   * command run, so writes deep in a command need not carry it.
   */
  bypassValidation = false;
  /** Logical sessions seen, for `$listLocalSessions`. */
  readonly sessions = new SessionCache();

  /**
   * @param storage the databases.
   * @param cursors open cursors, shared by all connections.
   */
  constructor(
    readonly storage: StorageEngine,
    readonly cursors: CursorRegistry,
  ) {}

  /** The collection named by `cmd[name]`, or undefined. */
  store(cmd: Doc, name: string, db: string): CollectionStore | undefined {
    return this.storage.get(db, str(cmd[name], "collection name"));
  }

  /** Inserts a document after the collection's validator accepted it. */
  insert(store: CollectionStore, doc: Doc): void {
    const failure = this.bypassValidation ? undefined : validationFailure(store, doc);
    if (failure) throw failure;
    this.storage.insert(store, doc);
  }

  /** Replaces `before` by `doc` after the collection's validator accepted it. */
  replace(store: CollectionStore, doc: Doc, before: Doc): void {
    const failure = this.bypassValidation ? undefined : validationFailure(store, doc, before);
    if (failure) throw failure;
    this.storage.replace(store, doc);
  }

  /** A collection to write to (created implicitly); a view answers CommandNotSupportedOnView (166). */
  writable(db: string, name: string): CollectionStore {
    const store = this.storage.get(db, name);
    if (isView(store)) {
      throw new CommandError(
        ErrorCodes.CommandNotSupportedOnView,
        `Namespace ${db}.${name} is a view, not a collection`,
      );
    }
    return store ?? this.storage.getOrCreate(db, name);
  }

  /** Documents of a collection, for `$lookup` and friends (copies; views run their pipeline). */
  resolver(db: string): (coll: string) => Doc[] {
    return (coll) => {
      const store = this.storage.get(db, coll);
      return isView(store) ? this.viewDocuments(db, coll) : [...(store?.docs.values() ?? [])].map(cloneValue);
    };
  }

  /** The documents a view shows: its source (a collection or another view) through its pipeline. */
  viewDocuments(db: string, name: string, depth = 0): Doc[] {
    if (depth > MAX_VIEW_DEPTH) {
      throw new CommandError(
        ErrorCodes.ViewDepthLimitExceeded,
        `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`,
      );
    }
    const store = this.storage.get(db, name);
    if (!store) return [];
    if (!isView(store)) return [...store.docs.values()];
    const source = this.viewDocuments(db, store.options.viewOn as string, depth + 1);
    return runPipeline(source, (store.options.pipeline as Doc[] | undefined) ?? [], this.resolver(db));
  }

  /**
   * Documents of a namespace matching a filter: through the indexes for a collection, through the view's
   * pipeline (then the filter) for a view.
   */
  selectIn(db: string, name: string, filter: Doc | undefined, variables?: Doc, collation?: Collation): Doc[] {
    const store = this.storage.get(db, name);
    if (!isView(store)) return this.select(store, filter, variables, collation);
    const test = compileFilter(filter, variables, collation);
    return this.viewDocuments(db, name).filter(test);
  }

  /** Documents of a collection matching a filter, through an index where one applies. */
  select(
    store: CollectionStore | undefined,
    filter: Doc | undefined,
    variables?: Doc,
    collation?: Collation,
  ): Doc[] {
    if (!store) {
      compileFilter(filter, variables, collation); // still reject an invalid filter
      return [];
    }
    // The indexes order strings by code point: under a collation every document is matched instead.
    const plan = collation ? undefined : store.plan(filter);
    // An exact plan's filter is plain equalities and ranges on scalars: nothing to compile or check.
    if (plan?.exact) return plan.docs;
    const test = compileFilter(filter, variables, collation);
    const candidates = plan?.docs ?? store.docs.values();
    const out: Doc[] = [];
    for (const doc of candidates) if (test(doc)) out.push(doc);
    return out;
  }

  /**
   * Documents of a collection matching `filter` already in `sort` order, read along an index that gives
   * that order (see {@link sortedPlan}); undefined when none does (the caller sorts).
   */
  selectSorted(
    store: CollectionStore | undefined,
    filter: Doc | undefined,
    sort: Doc | undefined,
    variables?: Doc,
    collation?: Collation,
  ): Doc[] | undefined {
    // Under a collation strings sort by it, not in the index's code point order.
    if (!store || !sort || collation || isView(store)) return undefined;
    const plan = sortedPlan(store, filter, sort);
    if (!plan) return undefined;
    if (plan.exact) return plan.docs;
    const test = compileFilter(filter, variables);
    return plan.docs.filter(test);
  }

  /**
   * The collation of an operation: its own `collation` option, else the collection's default (from
   * `create`), else none (binary comparison).
   */
  collationFor(option: unknown, store: CollectionStore | undefined): Collation | undefined {
    if (option !== undefined) return parseCollation(option);
    return parseCollation(store?.options.collation);
  }

  /** Refuses a hint that names no existing index (BadValue, as MongoDB). */
  checkHint(store: CollectionStore | undefined, hint: unknown): void {
    if (hint === undefined || hint === null || !store) return;
    const specs = store.indexSpecs();
    const found =
      typeof hint === "string"
        ? specs.some((s) => s.name === hint)
        : isPlainObject(hint) &&
          (Object.keys(hint).length === 0 || specs.some((s) => canonicalKey(s.key) === canonicalKey(hint)));
    if (!found)
      throw new CommandError(ErrorCodes.BadValue, "hint provided does not correspond to an existing index");
  }

  /** Takes the next batch from `docs` (from `position`), within the count and the reply size limit. */
  takeBatch(docs: Doc[], position: number, batchSize: number | undefined): Doc[] {
    const max = batchSize === undefined || batchSize === 0 ? Number.POSITIVE_INFINITY : batchSize;
    const out: Doc[] = [];
    let bytes = 0;
    for (let i = position; i < docs.length && out.length < max; i++) {
      bytes += calculateObjectSize(docs[i]) + 8;
      if (bytes > BATCH_BYTES && out.length > 0) break;
      out.push(docs[i]);
    }
    return out;
  }

  /** A cursor reply with the first batch; the rest stays in an open cursor. */
  cursorReply(ns: string, docs: Doc[], batchSize: number | undefined, singleBatch = false): Doc {
    const first = batchSize === 0 ? [] : this.takeBatch(docs, 0, batchSize ?? DEFAULT_BATCH_SIZE);
    let id = Long.ZERO;
    if (first.length < docs.length && !singleBatch)
      id = Long.fromNumber(this.cursors.open(ns, docs, first.length).id);
    return { cursor: { firstBatch: first, id, ns } };
  }
}
