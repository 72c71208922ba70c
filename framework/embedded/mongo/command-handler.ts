import { calculateObjectSize, Long, ObjectId } from "bson";
import {
  canonicalKey,
  cloneValue,
  compareValues,
  type Doc,
  getPath,
  idFirst,
  isPlainObject,
} from "./bson-values.js";
import type { CollectionStore } from "./collection-store.js";
import { CommandError, ErrorCodes } from "./command-error.js";
import type { CursorRegistry } from "./cursor-registry.js";
import {
  applyUpdate,
  compileFilter,
  isOperatorUpdate,
  runPipeline,
  shapeResults,
  upsertSeed,
} from "./mingo-adapter.js";
import type { IndexSpec } from "./secondary-index.js";
import type { StorageEngine } from "./storage-engine.js";
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE_BYTES, MAX_WRITE_BATCH_SIZE } from "./wire-protocol.js";

/** The wire version range advertised: MongoDB 7.0's command set. */
const MAX_WIRE_VERSION = 21;
const SERVER_VERSION = "7.0.0";
const DEFAULT_BATCH_SIZE = 101;
/** Room left in a reply for the cursor envelope around a batch. */
const BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 16 * 1024;

/** Fields every command may carry (session, read/write concern, API version...); they change nothing here. */
const GENERIC_FIELDS = [
  "$db",
  "lsid",
  "$clusterTime",
  "$readPreference",
  "readConcern",
  "writeConcern",
  "comment",
  "maxTimeMS",
  "apiVersion",
  "apiStrict",
  "apiDeprecationErrors",
  "txnNumber",
  "autocommit",
  "startTransaction",
  "$audit",
  "$client",
  "bypassDocumentValidation",
];

/** Per-connection facts a command may need. */
export interface CommandContext {
  connectionId: number;
}

type Handler = (cmd: Doc, db: string, ctx: CommandContext) => Doc | Promise<Doc>;

interface CommandDef {
  run: Handler;
  /** Accepted fields besides the command name and the generic ones; undefined = accept anything. */
  fields?: string[];
  /** True for commands that change data: the reply waits until the journal has them on disk. */
  writes?: boolean;
}

function str(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new CommandError(ErrorCodes.TypeMismatch, `${what} must be a non-empty string`);
  }
  return value;
}

function optDoc(value: unknown, what: string): Doc | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw new CommandError(ErrorCodes.TypeMismatch, `${what} must be a document`);
  return value;
}

function optNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = value instanceof Long ? value.toNumber() : value;
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw new CommandError(ErrorCodes.TypeMismatch, `${what} must be a number`);
  }
  return Math.trunc(n);
}

function cursorIdOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (value instanceof Long) return value.toNumber();
  throw new CommandError(ErrorCodes.TypeMismatch, "cursor id must be an int64");
}

function rejectCollation(cmd: Doc): void {
  const collation = cmd.collation;
  if (collation === undefined) return;
  if (isPlainObject(collation) && collation.locale === "simple") return;
  throw new CommandError(
    ErrorCodes.NotImplemented,
    "collation is not supported by the embedded MongoDB server",
  );
}

function writeError(index: number, error: unknown): Doc {
  if (error instanceof CommandError)
    return { index, code: error.code, errmsg: error.message, ...error.extra };
  return { index, code: ErrorCodes.BadValue, errmsg: error instanceof Error ? error.message : String(error) };
}

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
]);

/** Executes commands against the storage engine; one instance serves every connection. */
export class CommandHandler {
  private readonly commands = new Map<string, CommandDef>();
  private readonly startedAt = Date.now();

  /**
   * @param storage the databases.
   * @param cursors open cursors, shared by all connections.
   * @param durable resolves when every change applied so far is on disk (immediately when in memory).
   */
  constructor(
    private readonly storage: StorageEngine,
    private readonly cursors: CursorRegistry,
    private readonly durable: () => Promise<void>,
  ) {
    const hello: CommandDef = { run: (cmd, _db, ctx) => this.hello(cmd, ctx) };
    this.commands.set("hello", hello);
    this.commands.set("isMaster", hello);
    this.commands.set("ismaster", hello);
    this.commands.set("ping", { run: () => ({}) });
    const buildInfo: CommandDef = { run: () => this.buildInfo() };
    this.commands.set("buildInfo", buildInfo);
    this.commands.set("buildinfo", buildInfo);
    for (const name of [
      "endSessions",
      "killSessions",
      "killAllSessions",
      "refreshSessions",
      "killAllSessionsByPattern",
    ]) {
      this.commands.set(name, { run: () => ({}) });
    }
    this.commands.set("fsync", { run: () => ({ numFiles: 1 }), writes: true });
    this.commands.set("explain", {
      run: () => {
        throw new CommandError(
          ErrorCodes.NotImplemented,
          "explain is not supported by the embedded MongoDB server",
        );
      },
    });
    this.commands.set("getParameter", { run: () => ({}) });
    this.commands.set("whatsmyuri", { run: () => ({ you: "127.0.0.1" }) });
    this.commands.set("connectionStatus", {
      run: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] } }),
    });
    this.commands.set("serverStatus", { run: () => this.serverStatus() });
    this.commands.set("hostInfo", { run: () => ({ system: { hostname: "localhost" } }) });
    this.commands.set("dbStats", { run: (_c, db) => this.dbStats(db) });
    this.commands.set("listDatabases", {
      run: (c) => this.listDatabases(c),
      fields: ["filter", "nameOnly", "authorizedDatabases"],
    });
    this.commands.set("listCollections", {
      run: (c, db) => this.listCollections(c, db),
      fields: ["filter", "nameOnly", "authorizedCollections", "cursor"],
    });
    this.commands.set("create", {
      run: (c, db) => this.create(c, db),
      writes: true,
      fields: [
        "capped",
        "size",
        "max",
        "validator",
        "validationLevel",
        "validationAction",
        "timeseries",
        "viewOn",
      ]
        .concat(["pipeline", "collation", "clusteredIndex", "expireAfterSeconds", "storageEngine"])
        .concat(["indexOptionDefaults", "changeStreamPreAndPostImages", "autoIndexId", "encryptedFields"]),
    });
    this.commands.set("drop", { run: (c, db) => this.drop(c, db), writes: true });
    this.commands.set("dropDatabase", { run: (_c, db) => this.dropDatabase(db), writes: true });
    this.commands.set("renameCollection", {
      run: (c) => this.renameCollection(c),
      writes: true,
      fields: ["to", "dropTarget", "stayTemp"],
    });
    this.commands.set("insert", {
      run: (c, db) => this.insert(c, db),
      writes: true,
      fields: ["documents", "ordered"],
    });
    this.commands.set("update", {
      run: (c, db) => this.update(c, db),
      writes: true,
      fields: ["updates", "ordered", "let"],
    });
    this.commands.set("delete", {
      run: (c, db) => this.delete(c, db),
      writes: true,
      fields: ["deletes", "ordered", "let"],
    });
    this.commands.set("findAndModify", {
      run: (c, db) => this.findAndModify(c, db),
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
    });
    this.commands.set("findandmodify", this.commands.get("findAndModify") as CommandDef);
    this.commands.set("find", {
      run: (c, db) => this.find(c, db),
      fields: [
        "filter",
        "sort",
        "projection",
        "hint",
        "skip",
        "limit",
        "batchSize",
        "singleBatch",
        "max",
        "min",
      ]
        .concat([
          "returnKey",
          "showRecordId",
          "tailable",
          "noCursorTimeout",
          "awaitData",
          "allowPartialResults",
        ])
        .concat(["collation", "allowDiskUse", "let", "oplogReplay", "readOnce"]),
    });
    this.commands.set("getMore", {
      run: (c, db) => this.getMore(c, db),
      fields: ["collection", "batchSize"],
    });
    this.commands.set("killCursors", { run: (c) => this.killCursors(c), fields: ["cursors"] });
    this.commands.set("aggregate", {
      run: (c, db) => this.aggregate(c, db),
      writes: true,
      fields: ["pipeline", "cursor", "explain", "allowDiskUse", "collation", "hint", "let"],
    });
    this.commands.set("count", {
      run: (c, db) => this.count(c, db),
      fields: ["query", "limit", "skip", "hint", "collation", "fields"],
    });
    this.commands.set("distinct", {
      run: (c, db) => this.distinct(c, db),
      fields: ["key", "query", "collation", "hint"],
    });
    this.commands.set("createIndexes", {
      run: (c, db) => this.createIndexes(c, db),
      writes: true,
      fields: ["indexes", "commitQuorum"],
    });
    this.commands.set("listIndexes", { run: (c, db) => this.listIndexes(c, db), fields: ["cursor"] });
    this.commands.set("dropIndexes", {
      run: (c, db) => this.dropIndexes(c, db),
      writes: true,
      fields: ["index"],
    });
    this.commands.set("deleteIndexes", this.commands.get("dropIndexes") as CommandDef);
  }

  /** Runs one command and returns its reply document (errors become `ok: 0` replies). */
  async handle(cmd: Doc, ctx: CommandContext): Promise<Doc> {
    try {
      const name = Object.keys(cmd)[0];
      if (name === undefined) throw new CommandError(ErrorCodes.FailedToParse, "empty command document");
      const def = this.commands.get(name);
      if (!def) throw new CommandError(ErrorCodes.CommandNotFound, `no such command: '${name}'`);
      if (cmd.startTransaction === true || cmd.autocommit === false) {
        throw new CommandError(
          ErrorCodes.IllegalOperation,
          "Transaction numbers are only allowed on a replica set member or mongos",
        );
      }
      if (def.fields) {
        for (const field of Object.keys(cmd)) {
          if (field === name || GENERIC_FIELDS.includes(field) || def.fields.includes(field)) continue;
          throw new CommandError(
            ErrorCodes.UnknownField,
            `BSON field '${name}.${field}' is an unknown field.`,
          );
        }
      }
      const db = str(cmd.$db, "$db");
      const reply = await def.run(cmd, db, ctx);
      if (def.writes) await this.durable();
      return { ...reply, ok: 1 };
    } catch (error) {
      if (error instanceof CommandError) return error.toReply();
      const message = error instanceof Error ? error.message : String(error);
      return { ok: 0, errmsg: message, code: 1, codeName: "InternalError" };
    }
  }

  private hello(cmd: Doc, ctx: CommandContext): Doc {
    if (cmd.loadBalanced === true) {
      throw new CommandError(
        ErrorCodes.IllegalOperation,
        "the embedded server does not support load-balanced mode",
      );
    }
    const name = Object.keys(cmd)[0];
    return {
      helloOk: true,
      ...(name === "hello" ? { isWritablePrimary: true } : { ismaster: true }),
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
      maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId: ctx.connectionId,
      minWireVersion: 0,
      maxWireVersion: MAX_WIRE_VERSION,
      readOnly: false,
    };
  }

  private buildInfo(): Doc {
    return {
      version: SERVER_VERSION,
      gitVersion: "core4ts-embedded",
      versionArray: [7, 0, 0, 0],
      bits: 64,
      debug: false,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      storageEngines: ["embedded"],
      modules: [],
    };
  }

  private serverStatus(): Doc {
    return {
      host: "127.0.0.1",
      version: SERVER_VERSION,
      process: "core4ts-embedded-mongo",
      pid: Long.fromNumber(process.pid),
      uptime: (Date.now() - this.startedAt) / 1000,
      localTime: new Date(),
    };
  }

  private dbStats(db: string): Doc {
    const colls = this.storage.collections(db);
    return {
      db,
      collections: colls.length,
      views: 0,
      objects: colls.reduce((n, c) => n + c.docs.size, 0),
      indexes: colls.reduce((n, c) => n + 1 + c.indexes.size, 0),
    };
  }

  private store(cmd: Doc, name: string, db: string): CollectionStore | undefined {
    return this.storage.get(db, str(cmd[name], "collection name"));
  }

  /** Documents of a collection matching a filter, through an index where one applies. */
  private select(store: CollectionStore | undefined, filter: Doc | undefined, variables?: Doc): Doc[] {
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

  private checkHint(store: CollectionStore | undefined, hint: unknown): void {
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
  private takeBatch(docs: Doc[], position: number, batchSize: number | undefined): Doc[] {
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

  private cursorReply(ns: string, docs: Doc[], batchSize: number | undefined, singleBatch = false): Doc {
    const first = batchSize === 0 ? [] : this.takeBatch(docs, 0, batchSize ?? DEFAULT_BATCH_SIZE);
    let id = Long.ZERO;
    if (first.length < docs.length && !singleBatch)
      id = Long.fromNumber(this.cursors.open(ns, docs, first.length).id);
    return { cursor: { firstBatch: first, id, ns } };
  }

  private listDatabases(cmd: Doc): Doc {
    let databases: Doc[] = this.storage.databaseNames().map((name) => {
      const colls = this.storage.collections(name);
      const sizeOnDisk = colls.reduce((n, c) => n + c.docs.size * 64, 0);
      return { name, sizeOnDisk, empty: false };
    });
    const filter = optDoc(cmd.filter, "filter");
    if (filter) databases = databases.filter(compileFilter(filter));
    if (cmd.nameOnly === true) return { databases: databases.map((d) => ({ name: d.name })) };
    const totalSize = databases.reduce((n, d) => n + (d.sizeOnDisk as number), 0);
    return { databases, totalSize, totalSizeMb: Math.round(totalSize / 1024 / 1024) };
  }

  private listCollections(cmd: Doc, db: string): Doc {
    let items: Doc[] = this.storage.collections(db).map((c) => ({
      name: c.name,
      type: "collection",
      options: cloneValue(c.options),
      info: { readOnly: false },
      idIndex: { v: 2, key: { _id: 1 }, name: "_id_" },
    }));
    const filter = optDoc(cmd.filter, "filter");
    if (filter) items = items.filter(compileFilter(filter));
    if (cmd.nameOnly === true) items = items.map((i) => ({ name: i.name, type: i.type }));
    const cursor = optDoc(cmd.cursor, "cursor");
    return this.cursorReply(`${db}.$cmd.listCollections`, items, optNumber(cursor?.batchSize, "batchSize"));
  }

  private create(cmd: Doc, db: string): Doc {
    const name = str(cmd.create, "create");
    for (const option of [
      "capped",
      "validator",
      "timeseries",
      "viewOn",
      "pipeline",
      "clusteredIndex",
      "encryptedFields",
    ]) {
      if (cmd[option] !== undefined && cmd[option] !== false) {
        throw new CommandError(
          ErrorCodes.NotImplemented,
          `create option '${option}' is not supported by the embedded MongoDB server`,
        );
      }
    }
    rejectCollation(cmd);
    this.storage.create(db, name, {});
    return {};
  }

  private drop(cmd: Doc, db: string): Doc {
    const store = this.store(cmd, "drop", db);
    if (!store) return {};
    const nIndexesWas = store.indexes.size + 1;
    this.storage.drop(db, store.name);
    return { nIndexesWas, ns: store.ns };
  }

  private dropDatabase(db: string): Doc {
    this.storage.dropDatabase(db);
    return {};
  }

  private renameCollection(cmd: Doc): Doc {
    const from = str(cmd.renameCollection, "renameCollection");
    const to = str(cmd.to, "to");
    const split = (ns: string): [string, string] => {
      const dot = ns.indexOf(".");
      if (dot <= 0)
        throw new CommandError(ErrorCodes.InvalidNamespace, `Invalid namespace specified '${ns}'`);
      return [ns.slice(0, dot), ns.slice(dot + 1)];
    };
    const [fromDb, fromColl] = split(from);
    const [toDb, toColl] = split(to);
    const store = this.storage.get(fromDb, fromColl);
    if (!store) throw new CommandError(ErrorCodes.NamespaceNotFound, "Source collection does not exist");
    if (this.storage.get(toDb, toColl)) {
      if (cmd.dropTarget !== true)
        throw new CommandError(ErrorCodes.NamespaceExists, "target namespace exists");
      this.storage.drop(toDb, toColl);
    }
    this.storage.rename(store, toDb, toColl);
    return {};
  }

  private documents(cmd: Doc, field: string): Doc[] {
    const docs = cmd[field];
    if (!Array.isArray(docs) || !docs.every(isPlainObject)) {
      throw new CommandError(ErrorCodes.TypeMismatch, `'${field}' must be an array of documents`);
    }
    if (docs.length > MAX_WRITE_BATCH_SIZE) {
      throw new CommandError(10, `Write batch sizes must be between 1 and ${MAX_WRITE_BATCH_SIZE}`);
    }
    return docs;
  }

  private insert(cmd: Doc, db: string): Doc {
    const name = str(cmd.insert, "insert");
    const docs = this.documents(cmd, "documents");
    const ordered = cmd.ordered !== false;
    const store = this.storage.getOrCreate(db, name);
    let n = 0;
    const writeErrors: Doc[] = [];
    for (let i = 0; i < docs.length; i++) {
      try {
        // MongoDB 5.0+ stores `$`-prefixed field names as given: no check here either.
        const doc = docs[i];
        // The document was decoded for this request only, so it can be stored without a copy.
        this.storage.insert(store, doc._id === undefined ? { _id: new ObjectId(), ...doc } : idFirst(doc));
        n++;
      } catch (error) {
        writeErrors.push(writeError(i, error));
        if (ordered) break;
      }
    }
    return writeErrors.length > 0 ? { n, writeErrors } : { n };
  }

  private upsertDocument(filter: Doc | undefined, update: Doc | Doc[], variables?: Doc): Doc {
    const replacement = !Array.isArray(update) && !isOperatorUpdate(update);
    const seed = upsertSeed(filter);
    const base = replacement ? (seed._id !== undefined ? { _id: seed._id } : {}) : seed;
    let doc = applyUpdate(base, update, { inserting: true, filter, variables }).doc;
    if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
    return idFirst(doc);
  }

  private updateOne(store: CollectionStore, spec: Doc, variables?: Doc): Doc {
    const filter = optDoc(spec.q, "q") ?? {};
    const update = spec.u;
    if (!(isPlainObject(update) || (Array.isArray(update) && update.every(isPlainObject)))) {
      throw new CommandError(ErrorCodes.FailedToParse, "'u' must be a document or a pipeline");
    }
    rejectCollation(spec);
    this.checkHint(store, spec.hint);
    const multi = spec.multi === true;
    if (multi && !Array.isArray(update) && !isOperatorUpdate(update)) {
      throw new CommandError(
        ErrorCodes.FailedToParse,
        "multi update is not supported for replacement-style update",
      );
    }
    const arrayFilters = Array.isArray(spec.arrayFilters) ? (spec.arrayFilters as Doc[]) : undefined;
    let matches = this.select(store, filter, variables);
    if (!multi && matches.length > 1) {
      const sort = optDoc(spec.sort, "sort");
      matches = sort ? shapeResults(matches, { sort, limit: 1 }) : matches.slice(0, 1);
    }
    if (matches.length === 0) {
      if (spec.upsert !== true) return { matched: 0, modified: 0 };
      const doc = this.upsertDocument(filter, update, variables);
      this.storage.insert(store, doc);
      return { matched: 0, modified: 0, upserted: doc._id };
    }
    let modified = 0;
    for (const doc of matches) {
      const out = applyUpdate(doc, update, { inserting: false, filter, arrayFilters, variables });
      if (out.modified) {
        this.storage.replace(store, out.doc);
        modified++;
      }
    }
    return { matched: matches.length, modified };
  }

  private update(cmd: Doc, db: string): Doc {
    const name = str(cmd.update, "update");
    const updates = this.documents(cmd, "updates");
    const ordered = cmd.ordered !== false;
    const variables = optDoc(cmd.let, "let");
    const store = this.storage.getOrCreate(db, name);
    let n = 0;
    let nModified = 0;
    const upserted: Doc[] = [];
    const writeErrors: Doc[] = [];
    for (let i = 0; i < updates.length; i++) {
      try {
        const r = this.updateOne(store, updates[i], variables);
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

  private delete(cmd: Doc, db: string): Doc {
    const name = str(cmd.delete, "delete");
    const deletes = this.documents(cmd, "deletes");
    const ordered = cmd.ordered !== false;
    const variables = optDoc(cmd.let, "let");
    const store = this.storage.get(db, name);
    let n = 0;
    const writeErrors: Doc[] = [];
    for (let i = 0; i < deletes.length; i++) {
      try {
        const spec = deletes[i];
        rejectCollation(spec);
        this.checkHint(store, spec.hint);
        const limit = optNumber(spec.limit, "limit") ?? 0;
        if (limit !== 0 && limit !== 1)
          throw new CommandError(
            ErrorCodes.FailedToParse,
            "The limit field in delete objects must be 0 or 1",
          );
        if (!store) continue;
        let matches = this.select(store, optDoc(spec.q, "q") ?? {}, variables);
        if (limit === 1) matches = matches.slice(0, 1);
        for (const doc of matches) this.storage.delete(store, doc);
        n += matches.length;
      } catch (error) {
        writeErrors.push(writeError(i, error));
        if (ordered) break;
      }
    }
    return writeErrors.length > 0 ? { n, writeErrors } : { n };
  }

  private findAndModify(cmd: Doc, db: string): Doc {
    const name = str(cmd.findAndModify ?? cmd.findandmodify, "findAndModify");
    const filter = optDoc(cmd.query, "query") ?? {};
    const sort = optDoc(cmd.sort, "sort");
    const fields = optDoc(cmd.fields, "fields");
    const variables = optDoc(cmd.let, "let");
    const remove = cmd.remove === true;
    const update = cmd.update;
    rejectCollation(cmd);
    if (remove && update !== undefined) {
      throw new CommandError(ErrorCodes.FailedToParse, "Cannot specify both an update and remove=true");
    }
    if (!remove && update === undefined) {
      throw new CommandError(ErrorCodes.FailedToParse, "Either an update or remove=true must be specified");
    }
    if (remove && cmd.upsert === true) {
      throw new CommandError(ErrorCodes.FailedToParse, "Cannot specify both upsert=true and remove=true");
    }
    const project = (doc: Doc | undefined): Doc | null =>
      doc ? (fields ? (shapeResults([doc], { projection: fields })[0] ?? null) : doc) : null;
    const store = remove ? this.storage.get(db, name) : this.storage.getOrCreate(db, name);
    this.checkHint(store, cmd.hint);
    let matches = this.select(store, filter, variables);
    if (sort && matches.length > 1) matches = shapeResults(matches, { sort, limit: 1 });
    const found = matches[0];
    if (remove) {
      if (!found || !store) return { lastErrorObject: { n: 0 }, value: null };
      this.storage.delete(store, found);
      return { lastErrorObject: { n: 1 }, value: project(found) };
    }
    if (!(isPlainObject(update) || (Array.isArray(update) && update.every(isPlainObject)))) {
      throw new CommandError(ErrorCodes.FailedToParse, "'update' must be a document or a pipeline");
    }
    const target = store as CollectionStore;
    if (!found) {
      if (cmd.upsert !== true) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
      const doc = this.upsertDocument(filter, update, variables);
      this.storage.insert(target, doc);
      return {
        lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
        value: cmd.new === true ? project(doc) : null,
      };
    }
    const arrayFilters = Array.isArray(cmd.arrayFilters) ? (cmd.arrayFilters as Doc[]) : undefined;
    const out = applyUpdate(found, update, { inserting: false, filter, arrayFilters, variables });
    if (out.modified) this.storage.replace(target, out.doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: project(cmd.new === true ? out.doc : found),
    };
  }

  private find(cmd: Doc, db: string): Doc {
    const name = str(cmd.find, "find");
    for (const option of [
      "max",
      "min",
      "returnKey",
      "showRecordId",
      "tailable",
      "awaitData",
      "oplogReplay",
    ]) {
      if (cmd[option] !== undefined && cmd[option] !== false) {
        throw new CommandError(
          ErrorCodes.NotImplemented,
          `find option '${option}' is not supported by the embedded MongoDB server`,
        );
      }
    }
    rejectCollation(cmd);
    const store = this.storage.get(db, name);
    this.checkHint(store, cmd.hint);
    const limit = optNumber(cmd.limit, "limit") ?? 0;
    const skip = optNumber(cmd.skip, "skip") ?? 0;
    const batchSize = optNumber(cmd.batchSize, "batchSize");
    if (skip < 0) throw new CommandError(ErrorCodes.BadValue, "Skip value must be non-negative");
    if (batchSize !== undefined && batchSize < 0) {
      throw new CommandError(ErrorCodes.BadValue, "BatchSize value must be non-negative");
    }
    const filter = optDoc(cmd.filter, "filter");
    const matches = this.select(store, filter, optDoc(cmd.let, "let"));
    const docs = shapeResults(matches, {
      sort: optDoc(cmd.sort, "sort"),
      skip,
      limit: Math.abs(limit),
      projection: optDoc(cmd.projection, "projection"),
    });
    const single = cmd.singleBatch === true || limit < 0;
    return this.cursorReply(
      `${db}.${name}`,
      docs,
      single && batchSize === undefined ? docs.length : batchSize,
      single,
    );
  }

  private getMore(cmd: Doc, db: string): Doc {
    const id = cursorIdOf(cmd.getMore);
    const collection = str(cmd.collection, "collection");
    const cursor = this.cursors.get(id);
    const ns = `${db}.${collection}`;
    if (!cursor || (cursor.ns !== ns && !cursor.ns.startsWith(`${db}.$cmd`))) {
      throw new CommandError(ErrorCodes.CursorNotFound, `cursor id ${id} not found`);
    }
    const batchSize = optNumber(cmd.batchSize, "batchSize");
    const batch = this.takeBatch(cursor.docs, cursor.position, batchSize);
    cursor.position += batch.length;
    let replyId = Long.fromNumber(cursor.id);
    if (cursor.position >= cursor.docs.length) {
      this.cursors.close(cursor.id);
      replyId = Long.ZERO;
    }
    return { cursor: { nextBatch: batch, id: replyId, ns: cursor.ns } };
  }

  private killCursors(cmd: Doc): Doc {
    const ids = cmd.cursors;
    if (!Array.isArray(ids)) throw new CommandError(ErrorCodes.TypeMismatch, "'cursors' must be an array");
    const cursorsKilled: Long[] = [];
    const cursorsNotFound: Long[] = [];
    for (const raw of ids) {
      const id = cursorIdOf(raw);
      (this.cursors.close(id) ? cursorsKilled : cursorsNotFound).push(Long.fromNumber(id));
    }
    return { cursorsKilled, cursorsNotFound, cursorsAlive: [], cursorsUnknown: [] };
  }

  private aggregate(cmd: Doc, db: string): Doc {
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
      const store = this.storage.get(db, name);
      this.checkHint(store, cmd.hint);
      const firstMatch = stages[0] && "$match" in stages[0] ? optDoc(stages[0].$match, "$match") : undefined;
      if (firstMatch) {
        // Use the indexes for a leading $match; mingo then sees only the matching documents.
        input = this.select(store, firstMatch, variables);
        stages.shift();
      } else input = store ? [...store.docs.values()] : [];
    }
    const resolver = (coll: string) => [...(this.storage.get(db, coll)?.docs.values() ?? [])].map(cloneValue);
    let docs = runPipeline(input, stages, resolver, variables);
    if (out) {
      const target = this.storage.get(out.db, out.coll);
      if (target) this.storage.drop(out.db, out.coll);
      const store = this.storage.create(out.db, out.coll, {});
      for (const doc of docs) {
        this.storage.insert(
          store,
          doc._id === undefined ? { _id: new ObjectId(), ...doc } : idFirst(cloneValue(doc)),
        );
      }
      docs = [];
    }
    return this.cursorReply(ns, docs.map(idFirst), optNumber(cursorOpt.batchSize, "batchSize"));
  }

  private count(cmd: Doc, db: string): Doc {
    rejectCollation(cmd);
    const store = this.store(cmd, "count", db);
    this.checkHint(store, cmd.hint);
    const skip = optNumber(cmd.skip, "skip") ?? 0;
    const limit = Math.abs(optNumber(cmd.limit, "limit") ?? 0);
    let n = Math.max(0, this.select(store, optDoc(cmd.query, "query")).length - skip);
    if (limit > 0) n = Math.min(n, limit);
    return { n };
  }

  private distinct(cmd: Doc, db: string): Doc {
    rejectCollation(cmd);
    const store = this.store(cmd, "distinct", db);
    const key = str(cmd.key, "key");
    const seen = new Map<string, unknown>();
    for (const doc of this.select(store, optDoc(cmd.query, "query"))) {
      const value = getPath(doc, key);
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) {
        const k = canonicalKey(v);
        if (!seen.has(k)) seen.set(k, v);
      }
    }
    return { values: [...seen.values()].sort(compareValues) };
  }

  private createIndexes(cmd: Doc, db: string): Doc {
    const name = str(cmd.createIndexes, "createIndexes");
    const specs = cmd.indexes;
    if (!Array.isArray(specs) || specs.length === 0 || !specs.every(isPlainObject)) {
      throw new CommandError(ErrorCodes.TypeMismatch, "'indexes' must be a non-empty array of documents");
    }
    const existed = this.storage.get(db, name);
    const store = existed ?? this.storage.getOrCreate(db, name);
    const numIndexesBefore = store.indexes.size + 1;
    for (const raw of specs as Doc[]) {
      for (const option of Object.keys(raw)) {
        if (option === "collation") {
          throw new CommandError(
            ErrorCodes.NotImplemented,
            "index collation is not supported by the embedded server",
          );
        }
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
      const ttl = optNumber(raw.expireAfterSeconds, "expireAfterSeconds");
      if (ttl !== undefined) spec.expireAfterSeconds = ttl;
      if (canonicalKey(normalized) === canonicalKey({ _id: 1 }) && indexName === "_id_") continue;
      const existing = store.indexSpecs().find((s) => s.name === indexName);
      if (existing) {
        if (canonicalKey(existing) === canonicalKey(spec)) continue;
        throw new CommandError(
          ErrorCodes.IndexKeySpecsConflict,
          `An existing index has the same name as the requested index but different options or key. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`,
        );
      }
      const sameKey = store.indexSpecs().find((s) => canonicalKey(s.key) === canonicalKey(normalized));
      if (sameKey) {
        throw new CommandError(
          ErrorCodes.IndexOptionsConflict,
          `Index already exists with a different name: ${sameKey.name}`,
        );
      }
      this.storage.createIndex(store, spec);
    }
    const numIndexesAfter = store.indexes.size + 1;
    return {
      numIndexesBefore,
      numIndexesAfter,
      createdCollectionAutomatically: existed === undefined,
      ...(numIndexesAfter === numIndexesBefore ? { note: "all indexes already exist" } : {}),
    };
  }

  private listIndexes(cmd: Doc, db: string): Doc {
    const store = this.store(cmd, "listIndexes", db);
    if (!store)
      throw new CommandError(
        ErrorCodes.NamespaceNotFound,
        `ns does not exist: ${db}.${String(cmd.listIndexes)}`,
      );
    const cursor = optDoc(cmd.cursor, "cursor");
    const specs = store.indexSpecs().map((s) => cloneValue(s) as unknown as Doc);
    return this.cursorReply(store.ns, specs, optNumber(cursor?.batchSize, "batchSize"));
  }

  private dropIndexes(cmd: Doc, db: string): Doc {
    const name = String(cmd.dropIndexes ?? cmd.deleteIndexes);
    const store = this.storage.get(db, name);
    if (!store) throw new CommandError(ErrorCodes.NamespaceNotFound, `ns not found ${db}.${name}`);
    const nIndexesWas = store.indexes.size + 1;
    const index = cmd.index;
    const names: string[] = [];
    if (index === "*") names.push(...store.indexes.keys());
    else if (typeof index === "string") names.push(index);
    else if (Array.isArray(index)) names.push(...index.map(String));
    else if (isPlainObject(index)) {
      const spec = store.indexSpecs().find((s) => canonicalKey(s.key) === canonicalKey(index));
      if (!spec)
        throw new CommandError(
          ErrorCodes.IndexNotFound,
          `can't find index with key: ${JSON.stringify(index)}`,
        );
      names.push(spec.name);
    } else
      throw new CommandError(ErrorCodes.TypeMismatch, "'index' must be a string, an array or a key pattern");
    for (const indexName of names) {
      if (indexName === "_id_") throw new CommandError(ErrorCodes.InvalidOptions, "cannot drop _id index");
      if (!store.indexes.has(indexName)) {
        throw new CommandError(ErrorCodes.IndexNotFound, `index not found with name [${indexName}]`);
      }
    }
    for (const indexName of names) this.storage.dropIndex(store, indexName);
    return { nIndexesWas };
  }
}
