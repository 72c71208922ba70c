/** Indexes: createIndexes, listIndexes, dropIndexes. */
import { Long } from "bson";
import { canonicalKey, cloneValue, type Doc, isPlainObject } from "../bson-values.js";
import { parseCollation } from "../collation.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import type { IndexSpec } from "../secondary-index.js";
import { type CommandDef, type CommandTable, optDoc, optNumber, str } from "./command-kit.js";
import type { CommandServices } from "./command-services.js";

function defaultIndexName(key: Record<string, number>): string {
  return Object.entries(key)
    .map(([field, dir]) => `${field}_${dir}`)
    .join("_");
}

const INDEX_OPTIONS = new Set([
  "key",
  "name",
  "unique",
  "sparse",
  "partialFilterExpression",
  "expireAfterSeconds",
  "background",
  "v",
  "ns",
  "hidden",
  "collation",
]);

function createIndexes(s: CommandServices, cmd: Doc, db: string): Doc {
  const name = str(cmd.createIndexes, "createIndexes");
  const specs = cmd.indexes;
  if (!Array.isArray(specs) || specs.length === 0 || !specs.every(isPlainObject)) {
    throw new CommandError(ErrorCodes.TypeMismatch, "'indexes' must be a non-empty array of documents");
  }
  const existed = s.storage.get(db, name);
  const store = s.writable(db, name);
  const numIndexesBefore = store.indexes.size + 1;
  for (const raw of specs as Doc[]) {
    for (const option of Object.keys(raw)) {
      if (!INDEX_OPTIONS.has(option)) {
        throw new CommandError(197, `The field '${option}' is not valid for an index specification`);
      }
    }
    const key = optDoc(raw.key, "key");
    if (!key || Object.keys(key).length === 0) throw new CommandError(67, "Index keys cannot be empty.");
    const normalized: Record<string, number> = {};
    for (const [field, dir] of Object.entries(key)) {
      const n = dir instanceof Long ? dir.toNumber() : dir;
      if (typeof n !== "number" || n === 0 || !Number.isFinite(n)) {
        throw new CommandError(
          ErrorCodes.NotImplemented,
          `index type ${JSON.stringify(dir)} on '${field}' is not supported by the embedded server (only 1/-1)`,
        );
      }
      normalized[field] = n > 0 ? 1 : -1;
    }
    const indexName = typeof raw.name === "string" ? raw.name : defaultIndexName(normalized);
    const spec: IndexSpec = { v: 2, key: normalized, name: indexName };
    if (raw.unique === true) spec.unique = true;
    if (raw.sparse === true) spec.sparse = true;
    const partial = optDoc(raw.partialFilterExpression, "partialFilterExpression");
    if (partial) spec.partialFilterExpression = partial;
    // An index without its own collation takes the collection's default, as in MongoDB.
    const collation = parseCollation(raw.collation === undefined ? store.options.collation : raw.collation);
    if (collation) spec.collation = collation.spec;
    const ttl = optNumber(raw.expireAfterSeconds, "expireAfterSeconds");
    if (ttl !== undefined) spec.expireAfterSeconds = ttl;
    if (canonicalKey(normalized) === canonicalKey({ _id: 1 }) && indexName === "_id_") continue;
    const existing = store.indexSpecs().find((x) => x.name === indexName);
    if (existing) {
      if (canonicalKey(existing) === canonicalKey(spec)) continue;
      throw new CommandError(
        ErrorCodes.IndexKeySpecsConflict,
        `An existing index has the same name as the requested index but different options or key. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`,
      );
    }
    const sameKey = store.indexSpecs().find((x) => canonicalKey(x.key) === canonicalKey(normalized));
    if (sameKey) {
      throw new CommandError(
        ErrorCodes.IndexOptionsConflict,
        `Index already exists with a different name: ${sameKey.name}`,
      );
    }
    s.storage.createIndex(store, spec);
  }
  const numIndexesAfter = store.indexes.size + 1;
  return {
    numIndexesBefore,
    numIndexesAfter,
    createdCollectionAutomatically: existed === undefined,
    ...(numIndexesAfter === numIndexesBefore ? { note: "all indexes already exist" } : {}),
  };
}

function listIndexes(s: CommandServices, cmd: Doc, db: string): Doc {
  const store = s.store(cmd, "listIndexes", db);
  if (!store)
    throw new CommandError(
      ErrorCodes.NamespaceNotFound,
      `ns does not exist: ${db}.${String(cmd.listIndexes)}`,
    );
  const cursor = optDoc(cmd.cursor, "cursor");
  const specs = store.indexSpecs().map((x) => cloneValue(x) as unknown as Doc);
  return s.cursorReply(store.ns, specs, optNumber(cursor?.batchSize, "batchSize"));
}

function dropIndexes(s: CommandServices, cmd: Doc, db: string): Doc {
  const name = String(cmd.dropIndexes ?? cmd.deleteIndexes);
  const store = s.storage.get(db, name);
  if (!store) throw new CommandError(ErrorCodes.NamespaceNotFound, `ns not found ${db}.${name}`);
  const nIndexesWas = store.indexes.size + 1;
  const index = cmd.index;
  const names: string[] = [];
  if (index === "*") names.push(...store.indexes.keys());
  else if (typeof index === "string") names.push(index);
  else if (Array.isArray(index)) names.push(...index.map(String));
  else if (isPlainObject(index)) {
    const spec = store.indexSpecs().find((x) => canonicalKey(x.key) === canonicalKey(index));
    if (!spec)
      throw new CommandError(ErrorCodes.IndexNotFound, `can't find index with key: ${JSON.stringify(index)}`);
    names.push(spec.name);
  } else
    throw new CommandError(ErrorCodes.TypeMismatch, "'index' must be a string, an array or a key pattern");
  for (const indexName of names) {
    if (indexName === "_id_") throw new CommandError(ErrorCodes.InvalidOptions, "cannot drop _id index");
    if (!store.indexes.has(indexName)) {
      throw new CommandError(ErrorCodes.IndexNotFound, `index not found with name [${indexName}]`);
    }
  }
  for (const indexName of names) s.storage.dropIndex(store, indexName);
  return { nIndexesWas };
}

/** The index commands. */
export function indexCommands(s: CommandServices): CommandTable {
  const dropDef: CommandDef = { run: (c, db) => dropIndexes(s, c, db), writes: true, fields: ["index"] };
  return {
    createIndexes: {
      run: (c, db) => createIndexes(s, c, db),
      writes: true,
      fields: ["indexes", "commitQuorum"],
    },
    listIndexes: { run: (c, db) => listIndexes(s, c, db), fields: ["cursor"] },
    dropIndexes: dropDef,
    deleteIndexes: dropDef,
  };
}
