/** Reads: find, getMore, killCursors, count, distinct. */
import { Long } from "bson";
import { canonicalKey, compareValues, type Doc, getPath } from "../bson-values.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import { shapeResults } from "../mingo-adapter.js";
import { type CommandTable, cursorIdOf, optDoc, optLet, optNumber, str } from "./command-kit.js";
import type { CommandServices } from "./command-services.js";

function find(s: CommandServices, cmd: Doc, db: string): Doc {
  const name = str(cmd.find, "find");
  for (const option of ["max", "min", "returnKey", "showRecordId", "tailable", "awaitData", "oplogReplay"]) {
    if (cmd[option] !== undefined && cmd[option] !== false) {
      throw new CommandError(
        ErrorCodes.NotImplemented,
        `find option '${option}' is not supported by the embedded MongoDB server`,
      );
    }
  }
  const store = s.storage.get(db, name);
  const collation = s.collationFor(cmd.collation, store);
  s.checkHint(store, cmd.hint);
  const limit = optNumber(cmd.limit, "limit") ?? 0;
  const skip = optNumber(cmd.skip, "skip") ?? 0;
  const batchSize = optNumber(cmd.batchSize, "batchSize");
  if (skip < 0) throw new CommandError(ErrorCodes.BadValue, "Skip value must be non-negative");
  if (batchSize !== undefined && batchSize < 0) {
    throw new CommandError(ErrorCodes.BadValue, "BatchSize value must be non-negative");
  }
  const filter = optDoc(cmd.filter, "filter");
  const variables = optLet(cmd.let);
  const sort = optDoc(cmd.sort, "sort");
  // An index that gives the sort order is read in that order: no sorting in memory.
  const sorted = s.selectSorted(store, filter, sort, variables, collation);
  const matches = sorted ?? s.selectIn(db, name, filter, variables, collation);
  const docs = shapeResults(matches, {
    collation,
    variables,
    sort: sorted ? undefined : sort,
    skip,
    limit: Math.abs(limit),
    projection: optDoc(cmd.projection, "projection"),
  });
  const single = cmd.singleBatch === true || limit < 0;
  return s.cursorReply(
    `${db}.${name}`,
    docs,
    single && batchSize === undefined ? docs.length : batchSize,
    single,
  );
}

function getMore(s: CommandServices, cmd: Doc, db: string): Doc {
  const id = cursorIdOf(cmd.getMore);
  const collection = str(cmd.collection, "collection");
  const cursor = s.cursors.get(id);
  const ns = `${db}.${collection}`;
  if (!cursor || (cursor.ns !== ns && !cursor.ns.startsWith(`${db}.$cmd`))) {
    throw new CommandError(ErrorCodes.CursorNotFound, `cursor id ${id} not found`);
  }
  const batchSize = optNumber(cmd.batchSize, "batchSize");
  const batch = s.takeBatch(cursor.docs, cursor.position, batchSize);
  cursor.position += batch.length;
  let replyId = Long.fromNumber(cursor.id);
  if (cursor.position >= cursor.docs.length) {
    s.cursors.close(cursor.id);
    replyId = Long.ZERO;
  }
  return { cursor: { nextBatch: batch, id: replyId, ns: cursor.ns } };
}

function killCursors(s: CommandServices, cmd: Doc): Doc {
  const ids = cmd.cursors;
  if (!Array.isArray(ids)) throw new CommandError(ErrorCodes.TypeMismatch, "'cursors' must be an array");
  const cursorsKilled: Long[] = [];
  const cursorsNotFound: Long[] = [];
  for (const raw of ids) {
    const id = cursorIdOf(raw);
    (s.cursors.close(id) ? cursorsKilled : cursorsNotFound).push(Long.fromNumber(id));
  }
  return { cursorsKilled, cursorsNotFound, cursorsAlive: [], cursorsUnknown: [] };
}

function count(s: CommandServices, cmd: Doc, db: string): Doc {
  const store = s.store(cmd, "count", db);
  const collation = s.collationFor(cmd.collation, store);
  s.checkHint(store, cmd.hint);
  const skip = optNumber(cmd.skip, "skip") ?? 0;
  const limit = Math.abs(optNumber(cmd.limit, "limit") ?? 0);
  const name = str(cmd.count, "count");
  let n = Math.max(0, s.selectIn(db, name, optDoc(cmd.query, "query"), undefined, collation).length - skip);
  if (limit > 0) n = Math.min(n, limit);
  return { n };
}

function distinct(s: CommandServices, cmd: Doc, db: string): Doc {
  const name = str(cmd.distinct, "distinct");
  const collation = s.collationFor(cmd.collation, s.storage.get(db, name));
  const key = str(cmd.key, "key");
  const seen = new Map<string, unknown>();
  for (const doc of s.selectIn(db, name, optDoc(cmd.query, "query"), undefined, collation)) {
    const value = getPath(doc, key);
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      // Under a collation, strings that compare equal are one value (the first one seen).
      const k = collation && typeof v === "string" ? `c${collation.key(v)}` : canonicalKey(v);
      if (!seen.has(k)) seen.set(k, v);
    }
  }
  const compare = (a: unknown, b: unknown) =>
    collation && typeof a === "string" && typeof b === "string"
      ? collation.compare(a, b)
      : compareValues(a, b);
  return { values: [...seen.values()].sort(compare) };
}

/** The read commands. */
export function readCommands(s: CommandServices): CommandTable {
  return {
    find: {
      run: (c, db) => find(s, c, db),
      fields: ["filter", "sort", "projection", "hint", "skip", "limit", "batchSize", "singleBatch", "max"]
        .concat(["min", "returnKey", "showRecordId", "tailable", "noCursorTimeout", "awaitData"])
        .concat(["allowPartialResults", "collation", "allowDiskUse", "let", "oplogReplay", "readOnce"]),
    },
    getMore: { run: (c, db) => getMore(s, c, db), fields: ["collection", "batchSize"] },
    killCursors: { run: (c) => killCursors(s, c), fields: ["cursors"] },
    count: {
      run: (c, db) => count(s, c, db),
      fields: ["query", "limit", "skip", "hint", "collation", "fields"],
    },
    distinct: { run: (c, db) => distinct(s, c, db), fields: ["key", "query", "collation", "hint"] },
  };
}
