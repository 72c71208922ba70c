/** Writes: insert, update, delete, findAndModify. */
import { ObjectId } from "bson";
import { type Doc, idFirst, isPlainObject } from "../bson-values.js";
import type { CollectionStore } from "../collection-store.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import { applyUpdate, isOperatorUpdate, shapeResults, upsertSeed } from "../mingo-adapter.js";
import { MAX_WRITE_BATCH_SIZE } from "../wire-protocol.js";
import { type CommandTable, optDoc, optLet, optNumber, str, writeError } from "./command-kit.js";
import type { CommandServices } from "./command-services.js";

function statements(cmd: Doc, field: string): Doc[] {
  const docs = cmd[field];
  if (!Array.isArray(docs) || !docs.every(isPlainObject)) {
    throw new CommandError(ErrorCodes.TypeMismatch, `'${field}' must be an array of documents`);
  }
  if (docs.length > MAX_WRITE_BATCH_SIZE) {
    throw new CommandError(10, `Write batch sizes must be between 1 and ${MAX_WRITE_BATCH_SIZE}`);
  }
  return docs;
}

/** Inserts one document (an `_id` is added when missing). */
export function insertDocument(s: CommandServices, store: CollectionStore, doc: Doc): void {
  // MongoDB 5.0+ stores `$`-prefixed field names as given (but not inside `_id`, see CollectionStore).
  // The document was decoded for this request only, so it can be stored without a copy.
  s.insert(store, doc._id === undefined ? { _id: new ObjectId(), ...doc } : idFirst(doc));
}

function insert(s: CommandServices, cmd: Doc, db: string): Doc {
  const name = str(cmd.insert, "insert");
  const docs = statements(cmd, "documents");
  const ordered = cmd.ordered !== false;
  const store = s.writable(db, name);
  let n = 0;
  const writeErrors: Doc[] = [];
  for (let i = 0; i < docs.length; i++) {
    try {
      insertDocument(s, store, docs[i]);
      n++;
    } catch (error) {
      writeErrors.push(writeError(i, error));
      if (ordered) break;
    }
  }
  // The batch's index entries go into the index trees at once (sorted), not one descent per document.
  store.flushIndexes();
  return writeErrors.length > 0 ? { n, writeErrors } : { n };
}

function upsertDocument(filter: Doc | undefined, update: Doc | Doc[], variables?: Doc): Doc {
  const replacement = !Array.isArray(update) && !isOperatorUpdate(update);
  const seed = upsertSeed(filter);
  const base = replacement ? (seed._id !== undefined ? { _id: seed._id } : {}) : seed;
  let doc = applyUpdate(base, update, { inserting: true, filter, variables }).doc;
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  return idFirst(doc);
}

/**
 * Runs one update statement (`{q, u, multi, upsert, arrayFilters, hint, sort, collation}`); returns
 * `{matched, modified, upserted?}`.
 */
export function updateStatement(s: CommandServices, store: CollectionStore, spec: Doc, variables?: Doc): Doc {
  const filter = optDoc(spec.q, "q") ?? {};
  const update = spec.u;
  if (!(isPlainObject(update) || (Array.isArray(update) && update.every(isPlainObject)))) {
    throw new CommandError(ErrorCodes.FailedToParse, "'u' must be a document or a pipeline");
  }
  const collation = s.collationFor(spec.collation, store);
  s.checkHint(store, spec.hint);
  const multi = spec.multi === true;
  if (multi && !Array.isArray(update) && !isOperatorUpdate(update)) {
    throw new CommandError(
      ErrorCodes.FailedToParse,
      "multi update is not supported for replacement-style update",
    );
  }
  const arrayFilters = Array.isArray(spec.arrayFilters) ? (spec.arrayFilters as Doc[]) : undefined;
  let matches = s.select(store, filter, variables, collation);
  if (!multi && matches.length > 1) {
    const sort = optDoc(spec.sort, "sort");
    matches = sort ? shapeResults(matches, { sort, limit: 1, collation }) : matches.slice(0, 1);
  }
  if (matches.length === 0) {
    if (spec.upsert !== true) return { matched: 0, modified: 0 };
    const doc = upsertDocument(filter, update, variables);
    s.insert(store, doc);
    return { matched: 0, modified: 0, upserted: doc._id };
  }
  let modified = 0;
  for (const doc of matches) {
    const out = applyUpdate(doc, update, { inserting: false, filter, arrayFilters, variables, collation });
    if (out.modified) {
      s.replace(store, out.doc, doc);
      modified++;
    }
  }
  return { matched: matches.length, modified };
}

function update(s: CommandServices, cmd: Doc, db: string): Doc {
  const name = str(cmd.update, "update");
  const updates = statements(cmd, "updates");
  const ordered = cmd.ordered !== false;
  const variables = optLet(cmd.let);
  const store = s.writable(db, name);
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const writeErrors: Doc[] = [];
  for (let i = 0; i < updates.length; i++) {
    try {
      const r = updateStatement(s, store, updates[i], variables);
      n += r.matched as number;
      nModified += r.modified as number;
      if (r.upserted !== undefined) {
        upserted.push({ index: i, _id: r.upserted });
        n++;
      }
    } catch (error) {
      writeErrors.push(writeError(i, error));
      if (ordered) break;
    }
  }
  return {
    n,
    nModified,
    ...(upserted.length > 0 ? { upserted } : {}),
    ...(writeErrors.length > 0 ? { writeErrors } : {}),
  };
}

/** Runs one delete statement (`{q, limit, hint, collation}`); returns how many documents it deleted. */
export function deleteStatement(
  s: CommandServices,
  store: CollectionStore | undefined,
  spec: Doc,
  variables: Doc | undefined,
): number {
  const collation = s.collationFor(spec.collation, store);
  s.checkHint(store, spec.hint);
  const limit = optNumber(spec.limit, "limit") ?? 0;
  if (limit !== 0 && limit !== 1)
    throw new CommandError(ErrorCodes.FailedToParse, "The limit field in delete objects must be 0 or 1");
  if (!store) return 0;
  let matches = s.select(store, optDoc(spec.q, "q") ?? {}, variables, collation);
  if (limit === 1) matches = matches.slice(0, 1);
  for (const doc of matches) s.storage.delete(store, doc);
  return matches.length;
}

function remove(s: CommandServices, cmd: Doc, db: string): Doc {
  const name = str(cmd.delete, "delete");
  const deletes = statements(cmd, "deletes");
  const ordered = cmd.ordered !== false;
  const variables = optLet(cmd.let);
  const store = s.storage.get(db, name);
  if (store) s.writable(db, name);
  let n = 0;
  const writeErrors: Doc[] = [];
  for (let i = 0; i < deletes.length; i++) {
    try {
      n += deleteStatement(s, store, deletes[i], variables);
    } catch (error) {
      writeErrors.push(writeError(i, error));
      if (ordered) break;
    }
  }
  return writeErrors.length > 0 ? { n, writeErrors } : { n };
}

function findAndModify(s: CommandServices, cmd: Doc, db: string): Doc {
  const name = str(cmd.findAndModify ?? cmd.findandmodify, "findAndModify");
  const filter = optDoc(cmd.query, "query") ?? {};
  const sort = optDoc(cmd.sort, "sort");
  const fields = optDoc(cmd.fields, "fields");
  const variables = optLet(cmd.let);
  const removing = cmd.remove === true;
  const change = cmd.update;
  if (removing && change !== undefined) {
    throw new CommandError(ErrorCodes.FailedToParse, "Cannot specify both an update and remove=true");
  }
  if (!removing && change === undefined) {
    throw new CommandError(ErrorCodes.FailedToParse, "Either an update or remove=true must be specified");
  }
  if (removing && cmd.upsert === true) {
    throw new CommandError(ErrorCodes.FailedToParse, "Cannot specify both upsert=true and remove=true");
  }
  const project = (doc: Doc | undefined): Doc | null =>
    doc ? (fields ? (shapeResults([doc], { projection: fields })[0] ?? null) : doc) : null;
  const store = removing ? s.storage.get(db, name) : s.writable(db, name);
  if (store) s.writable(db, name);
  s.checkHint(store, cmd.hint);
  const collation = s.collationFor(cmd.collation, store);
  let matches = s.select(store, filter, variables, collation);
  if (sort && matches.length > 1) matches = shapeResults(matches, { sort, limit: 1, collation });
  const found = matches[0];
  if (removing) {
    if (!found || !store) return { lastErrorObject: { n: 0 }, value: null };
    s.storage.delete(store, found);
    return { lastErrorObject: { n: 1 }, value: project(found) };
  }
  if (!(isPlainObject(change) || (Array.isArray(change) && change.every(isPlainObject)))) {
    throw new CommandError(ErrorCodes.FailedToParse, "'update' must be a document or a pipeline");
  }
  const target = store as CollectionStore;
  if (!found) {
    if (cmd.upsert !== true) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
    const doc = upsertDocument(filter, change, variables);
    s.insert(target, doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      value: cmd.new === true ? project(doc) : null,
    };
  }
  const arrayFilters = Array.isArray(cmd.arrayFilters) ? (cmd.arrayFilters as Doc[]) : undefined;
  const out = applyUpdate(found, change, { inserting: false, filter, arrayFilters, variables, collation });
  if (out.modified) s.replace(target, out.doc, found);
  return {
    lastErrorObject: { n: 1, updatedExisting: true },
    value: project(cmd.new === true ? out.doc : found),
  };
}

/** The write commands. */
export function writeCommands(s: CommandServices): CommandTable {
  const findAndModifyDef = {
    run: (c: Doc, db: string) => findAndModify(s, c, db),
    writes: true,
    fields: [
      "query",
      "sort",
      "remove",
      "update",
      "new",
      "fields",
      "upsert",
      "collation",
      "arrayFilters",
    ].concat(["hint", "let"]),
  };
  return {
    insert: { run: (c, db) => insert(s, c, db), writes: true, fields: ["documents", "ordered"] },
    update: { run: (c, db) => update(s, c, db), writes: true, fields: ["updates", "ordered", "let"] },
    delete: { run: (c, db) => remove(s, c, db), writes: true, fields: ["deletes", "ordered", "let"] },
    findAndModify: findAndModifyDef,
    findandmodify: findAndModifyDef,
  };
}
