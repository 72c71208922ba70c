/** The client-level `bulkWrite` command of MongoDB 8.0 (the driver's `client.bulkWrite`). */
import { type Doc, isPlainObject } from "../bson-values.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import { MAX_WRITE_BATCH_SIZE } from "../wire-protocol.js";
import { type CommandTable, optLet, writeError } from "./command-kit.js";
import type { CommandServices } from "./command-services.js";
import { deleteStatement, insertDocument, updateStatement } from "./writes.js";

const INSERT_FIELDS = new Set(["insert", "document"]);
const UPDATE_FIELDS = new Set(["update", "filter", "updateMods", "multi", "upsert", "arrayFilters"])
  .add("hint")
  .add("collation")
  .add("sort");
const DELETE_FIELDS = new Set(["delete", "filter", "multi", "hint", "collation"]);

function checkFields(op: Doc, allowed: Set<string>, kind: string): void {
  for (const key of Object.keys(op)) {
    if (!allowed.has(key)) {
      throw new CommandError(
        ErrorCodes.UnknownField,
        `BSON field 'bulkWrite.ops.${kind}.${key}' is an unknown field.`,
      );
    }
  }
}

function namespaces(raw: unknown): { db: string; coll: string }[] {
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every(isPlainObject)) {
    throw new CommandError(ErrorCodes.TypeMismatch, "'nsInfo' must be a non-empty array of documents");
  }
  return (raw as Doc[]).map((entry) => {
    const ns = entry.ns;
    const dot = typeof ns === "string" ? ns.indexOf(".") : -1;
    if (typeof ns !== "string" || dot <= 0) {
      throw new CommandError(ErrorCodes.InvalidNamespace, `Invalid namespace specified '${String(ns)}'`);
    }
    for (const key of Object.keys(entry)) {
      if (key !== "ns") {
        throw new CommandError(
          ErrorCodes.NotImplemented,
          `bulkWrite nsInfo option '${key}' is not supported by the embedded MongoDB server`,
        );
      }
    }
    return { db: ns.slice(0, dot), coll: ns.slice(dot + 1) };
  });
}

/** One operation; returns its reply entry and counts. */
function runOperation(
  s: CommandServices,
  op: Doc,
  ns: { db: string; coll: string }[],
  variables: Doc | undefined,
  counts: Record<string, number>,
): Doc {
  const target = (index: unknown) => {
    const n = typeof index === "number" ? index : Number.NaN;
    const found = ns[n];
    if (!found)
      throw new CommandError(
        ErrorCodes.BadValue,
        `bulkWrite: namespace index ${String(index)} is out of range`,
      );
    return found;
  };
  if ("insert" in op) {
    checkFields(op, INSERT_FIELDS, "insert");
    if (!isPlainObject(op.document))
      throw new CommandError(ErrorCodes.TypeMismatch, "'document' must be a document");
    const { db, coll } = target(op.insert);
    insertDocument(s, s.writable(db, coll), op.document);
    counts.nInserted++;
    return { n: 1 };
  }
  if ("update" in op) {
    checkFields(op, UPDATE_FIELDS, "update");
    const { db, coll } = target(op.update);
    const statement: Doc = {
      q: op.filter ?? {},
      u: op.updateMods,
      multi: op.multi === true,
      upsert: op.upsert,
    };
    for (const key of ["arrayFilters", "hint", "collation", "sort"])
      if (op[key] !== undefined) statement[key] = op[key];
    const r = updateStatement(s, s.writable(db, coll), statement, variables);
    counts.nMatched += r.matched as number;
    counts.nModified += r.modified as number;
    if (r.upserted !== undefined) {
      counts.nUpserted++;
      return { n: 1, nModified: 0, upserted: { _id: r.upserted } };
    }
    return { n: r.matched, nModified: r.modified };
  }
  if ("delete" in op) {
    checkFields(op, DELETE_FIELDS, "delete");
    const { db, coll } = target(op.delete);
    const store = s.storage.get(db, coll);
    if (store) s.writable(db, coll);
    const statement: Doc = { q: op.filter ?? {}, limit: op.multi === true ? 0 : 1 };
    for (const key of ["hint", "collation"]) if (op[key] !== undefined) statement[key] = op[key];
    const n = deleteStatement(s, store, statement, variables);
    counts.nDeleted += n;
    return { n };
  }
  throw new CommandError(
    ErrorCodes.FailedToParse,
    "bulkWrite: an operation must be insert, update or delete",
  );
}

function bulkWrite(s: CommandServices, cmd: Doc, db: string): Doc {
  if (db !== "admin") {
    throw new CommandError(ErrorCodes.Unauthorized, "bulkWrite may only be run against the admin database.");
  }
  const ops = cmd.ops;
  if (!Array.isArray(ops) || !ops.every(isPlainObject)) {
    throw new CommandError(ErrorCodes.TypeMismatch, "'ops' must be an array of documents");
  }
  if (ops.length > MAX_WRITE_BATCH_SIZE) {
    throw new CommandError(10, `Write batch sizes must be between 1 and ${MAX_WRITE_BATCH_SIZE}`);
  }
  const ns = namespaces(cmd.nsInfo);
  const ordered = cmd.ordered !== false;
  const errorsOnly = cmd.errorsOnly === true;
  const variables = optLet(cmd.let);
  const counts = { nInserted: 0, nMatched: 0, nModified: 0, nUpserted: 0, nDeleted: 0 };
  const results: Doc[] = [];
  let nErrors = 0;
  for (let idx = 0; idx < ops.length; idx++) {
    try {
      const entry = runOperation(s, ops[idx] as Doc, ns, variables, counts);
      if (!errorsOnly) results.push({ ok: 1, idx, ...entry });
    } catch (error) {
      nErrors++;
      const { index: _index, ...detail } = writeError(idx, error);
      results.push({ ok: 0, idx, ...detail, codeName: undefined, n: 0 });
      if (ordered) break;
    }
  }
  const reply = s.cursorReply("admin.$cmd.bulkWrite", results.map(stripUndefined), undefined);
  return { ...reply, nErrors, ...counts };
}

function stripUndefined(doc: Doc): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) if (value !== undefined) out[key] = value;
  return out;
}

/** bulkWrite (client-level). */
export function bulkWriteCommands(s: CommandServices): CommandTable {
  return {
    bulkWrite: {
      run: (c, db) => bulkWrite(s, c, db),
      writes: true,
      fields: ["ops", "nsInfo", "ordered", "errorsOnly", "let", "cursor"],
    },
  };
}
