/** Databases and collections: listDatabases, listCollections, create, drop, dropDatabase, renameCollection. */
import { cloneValue, type Doc, isPlainObject } from "../bson-values.js";
import { parseCollation } from "../collation.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import { checkValidatorOptions } from "../document-validator.js";
import { compileFilter } from "../mingo-adapter.js";
import { type CommandTable, optDoc, optNumber, str } from "./command-kit.js";
import { type CommandServices, isView } from "./command-services.js";

function listDatabases(s: CommandServices, cmd: Doc): Doc {
  let databases: Doc[] = s.storage.databaseNames().map((name) => {
    const colls = s.storage.collections(name);
    const sizeOnDisk = colls.reduce((n, c) => n + c.docs.size * 64, 0);
    return { name, sizeOnDisk, empty: false };
  });
  const filter = optDoc(cmd.filter, "filter");
  if (filter) databases = databases.filter(compileFilter(filter));
  if (cmd.nameOnly === true) return { databases: databases.map((d) => ({ name: d.name })) };
  const totalSize = databases.reduce((n, d) => n + (d.sizeOnDisk as number), 0);
  return { databases, totalSize, totalSizeMb: Math.round(totalSize / 1024 / 1024) };
}

function listCollections(s: CommandServices, cmd: Doc, db: string): Doc {
  let items: Doc[] = s.storage.collections(db).map((c) =>
    isView(c)
      ? { name: c.name, type: "view", options: cloneValue(c.options), info: { readOnly: true } }
      : {
          name: c.name,
          type: "collection",
          options: cloneValue(c.options),
          info: { readOnly: false },
          idIndex: { v: 2, key: { _id: 1 }, name: "_id_" },
        },
  );
  const filter = optDoc(cmd.filter, "filter");
  if (filter) items = items.filter(compileFilter(filter));
  if (cmd.nameOnly === true) items = items.map((i) => ({ name: i.name, type: i.type }));
  const cursor = optDoc(cmd.cursor, "cursor");
  return s.cursorReply(`${db}.$cmd.listCollections`, items, optNumber(cursor?.batchSize, "batchSize"));
}

function createView(s: CommandServices, cmd: Doc, db: string, name: string): Doc {
  const viewOn = str(cmd.viewOn, "viewOn");
  const pipeline = cmd.pipeline ?? [];
  if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject)) {
    throw new CommandError(ErrorCodes.TypeMismatch, "'pipeline' must be an array of documents");
  }
  for (const stage of pipeline as Doc[]) {
    const op = Object.keys(stage)[0];
    if (op === "$out" || op === "$merge") {
      throw new CommandError(
        ErrorCodes.OptionNotSupportedOnView,
        `${op} cannot be used in a view definition`,
      );
    }
  }
  for (const option of ["capped", "size", "max", "validator", "validationLevel", "validationAction"]) {
    if (cmd[option] !== undefined) {
      throw new CommandError(ErrorCodes.InvalidOptions, `option '${option}' is not allowed for a view`);
    }
  }
  if (cmd.collation !== undefined) {
    throw new CommandError(
      ErrorCodes.NotImplemented,
      "a view collation is not supported by the embedded MongoDB server",
    );
  }
  s.storage.create(db, name, { viewOn, pipeline });
  // A view on itself (or a cycle through other views) is refused, as MongoDB does.
  try {
    s.viewDocuments(db, name);
  } catch (error) {
    s.storage.drop(db, name);
    throw error instanceof CommandError && error.code === ErrorCodes.ViewDepthLimitExceeded
      ? new CommandError(ErrorCodes.GraphContainsCycle, `View cycle detected for ${db}.${name}`)
      : error;
  }
  return {};
}

function create(s: CommandServices, cmd: Doc, db: string): Doc {
  const name = str(cmd.create, "create");
  if (cmd.viewOn !== undefined) return createView(s, cmd, db, name);
  for (const option of ["capped", "timeseries", "pipeline", "clusteredIndex", "encryptedFields"]) {
    if (cmd[option] !== undefined && cmd[option] !== false) {
      throw new CommandError(
        ErrorCodes.NotImplemented,
        `create option '${option}' is not supported by the embedded MongoDB server`,
      );
    }
  }
  const collation = parseCollation(cmd.collation);
  const options: Doc = collation ? { collation: collation.spec } : {};
  for (const key of ["validator", "validationLevel", "validationAction"]) {
    if (cmd[key] !== undefined) options[key] = cmd[key];
  }
  checkValidatorOptions(options);
  s.storage.create(db, name, options);
  return {};
}

const COLL_MOD_OPTIONS = new Set(["validator", "validationLevel", "validationAction", "viewOn", "pipeline"]);

/** collMod: changes the validator options of a collection or the definition of a view. */
function collMod(s: CommandServices, cmd: Doc, db: string): Doc {
  const name = str(cmd.collMod, "collMod");
  const store = s.storage.get(db, name);
  if (!store) throw new CommandError(ErrorCodes.NamespaceNotFound, `ns does not exist: ${db}.${name}`);
  const changes = Object.keys(cmd).filter((k) => k !== "collMod" && !k.startsWith("$") && !GENERIC.has(k));
  for (const key of changes) {
    if (!COLL_MOD_OPTIONS.has(key)) {
      throw new CommandError(
        ErrorCodes.NotImplemented,
        `collMod option '${key}' is not supported by the embedded MongoDB server`,
      );
    }
  }
  const view = isView(store);
  const next: Doc = { ...store.options };
  for (const key of changes) {
    const forView = key === "viewOn" || key === "pipeline";
    if (forView !== view) {
      throw new CommandError(
        ErrorCodes.InvalidOptions,
        forView ? `option '${key}' is only valid for a view` : `option '${key}' is not allowed for a view`,
      );
    }
    next[key] = cmd[key];
  }
  if (view) {
    str(next.viewOn, "viewOn");
    if (!Array.isArray(next.pipeline) || !next.pipeline.every(isPlainObject)) {
      throw new CommandError(ErrorCodes.TypeMismatch, "'pipeline' must be an array of documents");
    }
  } else checkValidatorOptions(next);
  const before = store.options;
  s.storage.setOptions(store, next);
  if (view) {
    try {
      s.viewDocuments(db, name);
    } catch (error) {
      s.storage.setOptions(store, before);
      throw error;
    }
  }
  return {};
}

/** Generic command fields collMod ignores. */
const GENERIC = new Set(["lsid", "writeConcern", "comment", "maxTimeMS", "apiVersion", "apiStrict"])
  .add("apiDeprecationErrors")
  .add("txnNumber")
  .add("readConcern");

function drop(s: CommandServices, cmd: Doc, db: string): Doc {
  const store = s.store(cmd, "drop", db);
  if (!store) return {};
  const nIndexesWas = store.indexes.size + 1;
  s.storage.drop(db, store.name);
  return { nIndexesWas, ns: store.ns };
}

function renameCollection(s: CommandServices, cmd: Doc): Doc {
  const from = str(cmd.renameCollection, "renameCollection");
  const to = str(cmd.to, "to");
  const split = (ns: string): [string, string] => {
    const dot = ns.indexOf(".");
    if (dot <= 0) throw new CommandError(ErrorCodes.InvalidNamespace, `Invalid namespace specified '${ns}'`);
    return [ns.slice(0, dot), ns.slice(dot + 1)];
  };
  const [fromDb, fromColl] = split(from);
  const [toDb, toColl] = split(to);
  const store = s.storage.get(fromDb, fromColl);
  if (!store) throw new CommandError(ErrorCodes.NamespaceNotFound, "Source collection does not exist");
  if (s.storage.get(toDb, toColl)) {
    if (cmd.dropTarget !== true)
      throw new CommandError(ErrorCodes.NamespaceExists, "target namespace exists");
    s.storage.drop(toDb, toColl);
  }
  s.storage.rename(store, toDb, toColl);
  return {};
}

/** The catalog commands. */
export function catalogCommands(s: CommandServices): CommandTable {
  return {
    listDatabases: {
      run: (c) => listDatabases(s, c),
      fields: ["filter", "nameOnly", "authorizedDatabases"],
    },
    listCollections: {
      run: (c, db) => listCollections(s, c, db),
      fields: ["filter", "nameOnly", "authorizedCollections", "cursor"],
    },
    create: {
      run: (c, db) => create(s, c, db),
      writes: true,
      fields: ["capped", "size", "max", "validator", "validationLevel", "validationAction", "timeseries"]
        .concat(["viewOn", "pipeline", "collation", "clusteredIndex", "expireAfterSeconds", "storageEngine"])
        .concat(["indexOptionDefaults", "changeStreamPreAndPostImages", "autoIndexId", "encryptedFields"]),
    },
    drop: { run: (c, db) => drop(s, c, db), writes: true },
    collMod: { run: (c, db) => collMod(s, c, db), writes: true },
    dropDatabase: {
      run: (_c, db) => {
        s.storage.dropDatabase(db);
        return {};
      },
      writes: true,
    },
    renameCollection: {
      run: (c) => renameCollection(s, c),
      writes: true,
      fields: ["to", "dropTarget", "stayTemp"],
    },
  };
}
