/**
 * The aggregate command: collection, view and database-level pipelines (`$documents`,
 * `$listLocalSessions`), and the write stages `$out` and `$merge` at the end.
 */
import { ObjectId } from "bson";
import { canonicalKey, cloneValue, type Doc, getPath, idFirst, isPlainObject } from "../bson-values.js";
import { CollectionStore } from "../collection-store.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import { runLeadingGroups } from "../group-fast-path.js";
import { applyUpdate, runPipeline } from "../mingo-adapter.js";
import { type CommandTable, optDoc, optLet, optNumber, str } from "./command-kit.js";
import { type CommandServices, isView } from "./command-services.js";

interface Namespace {
  db: string;
  coll: string;
}

function target(spec: unknown, db: string, stage: string): Namespace {
  if (typeof spec === "string" && spec.length > 0) return { db, coll: spec };
  if (isPlainObject(spec) && typeof spec.coll === "string" && spec.coll.length > 0) {
    if (spec.db !== undefined && typeof spec.db !== "string") {
      throw new CommandError(ErrorCodes.TypeMismatch, `${stage}: 'db' must be a string`);
    }
    return { db: typeof spec.db === "string" ? spec.db : db, coll: spec.coll };
  }
  throw new CommandError(
    ErrorCodes.FailedToParse,
    `invalid ${stage} target: a collection name or {db, coll}`,
  );
}

function writableTarget(s: CommandServices, ns: Namespace, stage: string): CollectionStore | undefined {
  const store = s.storage.get(ns.db, ns.coll);
  if (isView(store)) {
    throw new CommandError(
      ErrorCodes.CommandNotSupportedOnView,
      `${stage} cannot write to ${ns.db}.${ns.coll}: it is a view, not a collection`,
    );
  }
  return store;
}

/** `$out`: replaces the target collection with the results, keeping its indexes (all or nothing). */
function writeOut(s: CommandServices, spec: unknown, db: string, docs: Doc[]): void {
  if (isPlainObject(spec)) {
    for (const key of Object.keys(spec)) {
      if (key === "timeseries") {
        throw new CommandError(
          ErrorCodes.NotImplemented,
          "$out to a time-series collection is not supported by the embedded MongoDB server",
        );
      }
      if (key !== "db" && key !== "coll")
        throw new CommandError(ErrorCodes.FailedToParse, `$out: unknown option '${key}'`);
    }
  }
  const ns = target(spec, db, "$out");
  const old = writableTarget(s, ns, "$out");
  const specs = old ? [...old.indexes.values()].map((i) => i.spec) : [];
  const rows = docs.map((doc) =>
    doc._id === undefined ? { _id: new ObjectId(), ...doc } : idFirst(cloneValue(doc)),
  );
  // Check every document against _id and the unique indexes first: a failing $out leaves the target as it was.
  const trial = new CollectionStore(ns.db, ns.coll, old?.options ?? {});
  for (const indexSpec of specs) trial.addIndex(indexSpec);
  for (const doc of rows) {
    const key = canonicalKey(doc._id);
    trial.check(key, doc, false);
    trial.insert(key, doc);
  }
  if (old) s.storage.drop(ns.db, ns.coll);
  const store = s.storage.create(ns.db, ns.coll, old?.options ?? {});
  for (const indexSpec of specs) s.storage.createIndex(store, indexSpec);
  for (const doc of rows) s.insert(store, doc);
}

const MERGE_FIELDS = new Set(["into", "on", "let", "whenMatched", "whenNotMatched"]);

/** `$merge`: merges the results into a collection, as its `on`/`whenMatched`/`whenNotMatched` say. */
function merge(s: CommandServices, raw: unknown, db: string, docs: Doc[], variables: Doc | undefined): void {
  const spec: Doc = typeof raw === "string" ? { into: raw } : (optDoc(raw, "$merge") ?? {});
  for (const key of Object.keys(spec)) {
    if (!MERGE_FIELDS.has(key))
      throw new CommandError(ErrorCodes.FailedToParse, `$merge: unknown option '${key}'`);
  }
  const ns = target(spec.into, db, "$merge");
  const on =
    spec.on === undefined ? ["_id"] : Array.isArray(spec.on) ? spec.on.map(String) : [str(spec.on, "on")];
  const whenMatched = spec.whenMatched ?? "merge";
  const whenNotMatched = spec.whenNotMatched ?? "insert";
  if (
    !(
      Array.isArray(whenMatched) ||
      ["replace", "keepExisting", "merge", "fail"].includes(whenMatched as string)
    )
  ) {
    throw new CommandError(ErrorCodes.BadValue, `$merge: invalid whenMatched '${String(whenMatched)}'`);
  }
  if (!["insert", "discard", "fail"].includes(whenNotMatched as string)) {
    throw new CommandError(ErrorCodes.BadValue, `$merge: invalid whenNotMatched '${String(whenNotMatched)}'`);
  }
  if (spec.let !== undefined && !Array.isArray(whenMatched)) {
    throw new CommandError(
      ErrorCodes.FailedToParse,
      "$merge: 'let' is only allowed with a pipeline whenMatched",
    );
  }
  let store = writableTarget(s, ns, "$merge");
  const byId = on.length === 1 && on[0] === "_id";
  if (!byId) {
    const wanted = [...on].sort().join(",");
    const unique = store
      ?.indexSpecs()
      .some((x) => x.unique && Object.keys(x.key).sort().join(",") === wanted);
    if (!unique) {
      throw new CommandError(
        ErrorCodes.MergeUniqueIndexMissing,
        "Cannot find index to verify that join fields will be unique",
      );
    }
  }
  const letSpec = optDoc(spec.let, "let") ?? { new: "$$ROOT" };
  for (const source of docs) {
    const doc = source._id === undefined ? { _id: new ObjectId(), ...source } : idFirst(cloneValue(source));
    const filter: Doc = {};
    for (const field of on) {
      const value = getPath(doc, field);
      if (value === undefined || value === null || Array.isArray(value)) {
        throw new CommandError(
          51132,
          `$merge write error: 'on' field '${field}' cannot be missing, null or an array`,
        );
      }
      filter[field] = value;
    }
    const existing = store ? s.select(store, filter)[0] : undefined;
    if (!existing) {
      if (whenNotMatched === "discard") continue;
      if (whenNotMatched === "fail") {
        throw new CommandError(
          ErrorCodes.MergeStageNoMatchingDocument,
          "$merge could not find a matching document in the target collection for at least one document in the source collection",
        );
      }
      store ??= s.writable(ns.db, ns.coll);
      s.insert(store, doc);
      continue;
    }
    const into = store as CollectionStore;
    if (whenMatched === "keepExisting") continue;
    if (whenMatched === "fail") {
      s.insert(into, doc); // the duplicate key error (11000) MongoDB reports
      continue;
    }
    let next: Doc;
    if (Array.isArray(whenMatched)) {
      const [bound] = runPipeline([doc], [{ $replaceWith: letSpec }]);
      next = applyUpdate(existing, whenMatched as Doc[], {
        inserting: false,
        variables: { ...variables, ...bound },
      }).doc;
    } else {
      const fields = byId || source._id !== undefined ? doc : { ...doc, _id: existing._id };
      if (canonicalKey(fields._id) !== canonicalKey(existing._id)) {
        throw new CommandError(
          ErrorCodes.ImmutableField,
          "$merge failed to update the matching document, did you attempt to modify the _id or the shard key?",
        );
      }
      next = whenMatched === "replace" ? fields : { ...existing, ...fields };
    }
    s.replace(into, idFirst(next), existing);
  }
}

function sessionsInput(stage: Doc): Doc[] {
  const spec = optDoc(stage.$listLocalSessions, "$listLocalSessions") ?? {};
  if (spec.users !== undefined) {
    throw new CommandError(
      ErrorCodes.NotImplemented,
      "$listLocalSessions with 'users' is not supported by the embedded MongoDB server",
    );
  }
  return [];
}

function aggregate(s: CommandServices, cmd: Doc, db: string): Doc {
  const pipeline = cmd.pipeline;
  if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject)) {
    throw new CommandError(ErrorCodes.TypeMismatch, "'pipeline' must be an array of documents");
  }
  if (cmd.explain !== undefined && cmd.explain !== false) {
    throw new CommandError(
      ErrorCodes.NotImplemented,
      "explain is not supported by the embedded MongoDB server",
    );
  }
  const cursorOpt = optDoc(cmd.cursor, "cursor");
  if (!cursorOpt) {
    throw new CommandError(
      ErrorCodes.FailedToParse,
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  }
  const variables = optLet(cmd.let);
  const stages = [...(pipeline as Doc[])];
  const last = stages[stages.length - 1];
  const writeStage = last && ("$out" in last || "$merge" in last) ? stages.pop() : undefined;
  for (const stage of stages) {
    const op = Object.keys(stage)[0];
    if (op === "$merge" || op === "$out") {
      throw new CommandError(
        ErrorCodes.LocationOnlyLastStage,
        `${op} can only be the final stage in the pipeline`,
      );
    }
  }
  let input: Doc[];
  let ns: string;
  let collation = s.collationFor(cmd.collation, undefined);
  if (cmd.aggregate === 1) {
    ns = `${db}.$cmd.aggregate`;
    const first = stages[0] ? Object.keys(stages[0])[0] : undefined;
    if (first === "$listLocalSessions") {
      sessionsInput(stages[0]);
      input = s.sessions.list();
      stages.shift();
    } else if (first === "$documents") input = [{}];
    else {
      throw new CommandError(
        ErrorCodes.NotImplemented,
        `database-level aggregate supports pipelines starting with $documents or $listLocalSessions (not ${String(first)})`,
      );
    }
  } else {
    const name = str(cmd.aggregate, "aggregate");
    ns = `${db}.${name}`;
    const store = s.storage.get(db, name);
    collation = s.collationFor(cmd.collation, store);
    const firstMatch = stages[0] && "$match" in stages[0] ? optDoc(stages[0].$match, "$match") : undefined;
    const sortAt = firstMatch ? 1 : 0;
    const sortStage =
      stages[sortAt] && "$sort" in stages[sortAt] ? optDoc(stages[sortAt].$sort, "$sort") : undefined;
    // A leading ($match and) $sort an index gives in order: read along it, and drop the $sort stage.
    const sorted = isView(store)
      ? undefined
      : s.selectSorted(store, firstMatch, sortStage, variables, collation);
    if (sorted) {
      s.checkHint(store, cmd.hint);
      input = sorted;
      stages.splice(0, sortAt + 1);
    } else if (isView(store)) input = s.viewDocuments(db, name);
    else if (firstMatch) {
      s.checkHint(store, cmd.hint);
      // Use the indexes for a leading $match; mingo then sees only the matching documents.
      input = s.select(store, firstMatch, variables, collation);
      stages.shift();
    } else {
      s.checkHint(store, cmd.hint);
      input = store ? [...store.docs.values()] : [];
    }
  }
  // Leading $group stages with simple keys and accumulators run natively (not under a collation, which
  // changes how strings group); whatever they cannot answer exactly falls back to mingo over the same input.
  const grouped = collation ? undefined : runLeadingGroups(input, stages);
  let docs = grouped
    ? runPipeline(grouped.docs, grouped.rest, s.resolver(db), variables, collation)
    : runPipeline(input, stages, s.resolver(db), variables, collation);
  if (writeStage) {
    if ("$out" in writeStage) writeOut(s, writeStage.$out, db, docs);
    else merge(s, writeStage.$merge, db, docs, variables);
    docs = [];
  }
  return s.cursorReply(ns, docs.map(idFirst), optNumber(cursorOpt.batchSize, "batchSize"));
}

/** aggregate. */
export function aggregateCommands(s: CommandServices): CommandTable {
  return {
    aggregate: {
      run: (c, db) => aggregate(s, c, db),
      writes: true,
      fields: ["pipeline", "cursor", "explain", "allowDiskUse", "collation", "hint", "let"],
    },
  };
}
