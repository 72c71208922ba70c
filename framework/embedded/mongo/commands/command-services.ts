import { calculateObjectSize, Long } from "bson";
import { canonicalKey, type Doc, isPlainObject } from "../bson-values.js";
import type { CollectionStore } from "../collection-store.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import type { CursorRegistry } from "../cursor-registry.js";
import { compileFilter } from "../mingo-adapter.js";
import type { StorageEngine } from "../storage-engine.js";
import { MAX_BSON_OBJECT_SIZE } from "../wire-protocol.js";
import { str } from "./command-kit.js";

const DEFAULT_BATCH_SIZE = 101;
/** Room left in a reply for the cursor envelope around a batch. */
const BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 16 * 1024;

/** The server state command families work on, and the helpers several of them use. */
export class CommandServices {
  readonly startedAt = Date.now();

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

  /** Documents of a collection matching a filter, through an index where one applies. */
  select(store: CollectionStore | undefined, filter: Doc | undefined, variables?: Doc): Doc[] {
    if (!store) {
      compileFilter(filter, variables); // still reject an invalid filter
      return [];
    }
    const test = compileFilter(filter, variables);
    const plan = store.plan(filter);
    if (plan?.exact) return plan.docs;
    const candidates = plan?.docs ?? store.docs.values();
    const out: Doc[] = [];
    for (const doc of candidates) if (test(doc)) out.push(doc);
    return out;
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
