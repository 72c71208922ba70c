/** The aggregate command: collection and database-level pipelines, a final `$out`. */
import { ObjectId } from "bson";
import { cloneValue, type Doc, idFirst, isPlainObject } from "../bson-values.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import { runPipeline } from "../mingo-adapter.js";
import { type CommandTable, optDoc, optNumber, rejectCollation, str } from "./command-kit.js";
import type { CommandServices } from "./command-services.js";

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
  rejectCollation(cmd);
  const variables = optDoc(cmd.let, "let");
  const stages = [...(pipeline as Doc[])];
  const last = stages[stages.length - 1];
  let out: { db: string; coll: string } | undefined;
  if (last && "$out" in last) {
    stages.pop();
    const spec = last.$out;
    if (typeof spec === "string") out = { db, coll: spec };
    else if (isPlainObject(spec) && typeof spec.coll === "string") {
      out = { db: typeof spec.db === "string" ? spec.db : db, coll: spec.coll };
    } else throw new CommandError(ErrorCodes.FailedToParse, "invalid $out specification");
  }
  for (const stage of stages) {
    const op = Object.keys(stage)[0];
    if (op === "$merge" || op === "$out") {
      throw new CommandError(
        ErrorCodes.NotImplemented,
        op === "$out"
          ? "$out can only be the final stage in the pipeline"
          : "$merge is not supported by the embedded MongoDB server",
      );
    }
  }
  let input: Doc[];
  let ns: string;
  if (cmd.aggregate === 1) {
    ns = `${db}.$cmd.aggregate`;
    const first = stages[0] ? Object.keys(stages[0])[0] : undefined;
    if (first !== "$documents") {
      throw new CommandError(
        ErrorCodes.NotImplemented,
        "database-level aggregate supports only pipelines starting with $documents",
      );
    }
    input = [{}];
  } else {
    const name = str(cmd.aggregate, "aggregate");
    ns = `${db}.${name}`;
    const store = s.storage.get(db, name);
    s.checkHint(store, cmd.hint);
    const firstMatch = stages[0] && "$match" in stages[0] ? optDoc(stages[0].$match, "$match") : undefined;
    if (firstMatch) {
      // Use the indexes for a leading $match; mingo then sees only the matching documents.
      input = s.select(store, firstMatch, variables);
      stages.shift();
    } else input = store ? [...store.docs.values()] : [];
  }
  const resolver = (coll: string) => [...(s.storage.get(db, coll)?.docs.values() ?? [])].map(cloneValue);
  let docs = runPipeline(input, stages, resolver, variables);
  if (out) {
    const target = s.storage.get(out.db, out.coll);
    if (target) s.storage.drop(out.db, out.coll);
    const store = s.storage.create(out.db, out.coll, {});
    for (const doc of docs) {
      s.storage.insert(
        store,
        doc._id === undefined ? { _id: new ObjectId(), ...doc } : idFirst(cloneValue(doc)),
      );
    }
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
