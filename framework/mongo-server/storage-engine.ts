import { type Doc, getPath } from "./bson-values.js";
import { CollectionStore, idKey } from "./collection-store.js";
import { CommandError, ErrorCodes } from "./command-error.js";
import type { IndexSpec } from "./secondary-index.js";

/** One logical change, as written to the journal and replayed at start. */
export type JournalRecord =
  | { op: "put"; db: string; coll: string; doc: Doc }
  | { op: "del"; db: string; coll: string; id: unknown }
  | { op: "create"; db: string; coll: string; options: Doc }
  | { op: "drop"; db: string; coll: string }
  | { op: "dropDatabase"; db: string }
  | { op: "index"; db: string; coll: string; spec: IndexSpec }
  | { op: "dropIndex"; db: string; coll: string; name: string }
  | { op: "rename"; db: string; coll: string; toDb: string; toColl: string }
  | { op: "options"; db: string; coll: string; options: Doc };

/** Where changes go once applied in memory (the journal, when there is a data folder). */
export interface ChangeSink {
  append(record: JournalRecord): void;
}

function checkName(db: string, coll?: string): void {
  if (!db || /[/\\. "$\0]/.test(db) || db.length > 63) {
    throw new CommandError(ErrorCodes.InvalidNamespace, `Invalid database name: '${db}'`);
  }
  if (
    coll !== undefined &&
    (!coll || coll.includes("\0") || coll.startsWith("$") || coll.startsWith("system."))
  ) {
    throw new CommandError(ErrorCodes.InvalidNamespace, `Invalid collection name: '${coll}'`);
  }
}

/** All databases and collections in memory; every change is also handed to the sink for durability. */
export class StorageEngine {
  private readonly dbs = new Map<string, Map<string, CollectionStore>>();
  /** Receives each applied change (undefined: in-memory only). */
  sink: ChangeSink | undefined;

  /** Database names that hold at least one collection. */
  databaseNames(): string[] {
    return [...this.dbs.entries()].filter(([, colls]) => colls.size > 0).map(([name]) => name);
  }

  /** Collections of a database. */
  collections(db: string): CollectionStore[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  /** A collection, or undefined. */
  get(db: string, coll: string): CollectionStore | undefined {
    return this.dbs.get(db)?.get(coll);
  }

  /** A collection, created implicitly (as inserts and index builds do in MongoDB). */
  getOrCreate(db: string, coll: string): CollectionStore {
    return this.get(db, coll) ?? this.create(db, coll, {});
  }

  /** Creates a collection; NamespaceExists when it is there already. */
  create(db: string, coll: string, options: Doc): CollectionStore {
    checkName(db, coll);
    if (this.get(db, coll))
      throw new CommandError(ErrorCodes.NamespaceExists, `Collection ${db}.${coll} already exists.`);
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    const store = new CollectionStore(db, coll, options);
    colls.set(coll, store);
    this.sink?.append({ op: "create", db, coll, options });
    return store;
  }

  /** Replaces a collection's options (`collMod`: validator, view definition). */
  setOptions(store: CollectionStore, options: Doc): void {
    store.options = options;
    this.sink?.append({ op: "options", db: store.db, coll: store.name, options });
  }

  /** Drops a collection; returns false when it did not exist. */
  drop(db: string, coll: string): boolean {
    const colls = this.dbs.get(db);
    if (!colls?.delete(coll)) return false;
    if (colls.size === 0) this.dbs.delete(db);
    this.sink?.append({ op: "drop", db, coll });
    return true;
  }

  /** Drops a database with all its collections. */
  dropDatabase(db: string): void {
    if (!this.dbs.delete(db)) return;
    this.sink?.append({ op: "dropDatabase", db });
  }

  /** Inserts a document (checked for `_id` and unique indexes first). */
  insert(store: CollectionStore, doc: Doc): void {
    const id = idKey(doc._id);
    store.check(id, doc, false);
    store.insert(id, doc);
    this.sink?.append({ op: "put", db: store.db, coll: store.name, doc });
  }

  /** Replaces a document with the same `_id`. */
  replace(store: CollectionStore, doc: Doc): void {
    const id = idKey(doc._id);
    store.check(id, doc, true);
    store.replace(id, doc);
    this.sink?.append({ op: "put", db: store.db, coll: store.name, doc });
  }

  /** Deletes a document. */
  delete(store: CollectionStore, doc: Doc): void {
    store.remove(idKey(doc._id));
    this.sink?.append({ op: "del", db: store.db, coll: store.name, id: doc._id });
  }

  /** Builds an index. */
  createIndex(store: CollectionStore, spec: IndexSpec): void {
    store.addIndex(spec);
    this.sink?.append({ op: "index", db: store.db, coll: store.name, spec });
  }

  /** Drops an index by name. */
  dropIndex(store: CollectionStore, name: string): void {
    store.indexes.delete(name);
    this.sink?.append({ op: "dropIndex", db: store.db, coll: store.name, name });
  }

  /** Renames a collection (possibly into another database), keeping documents and indexes. */
  rename(store: CollectionStore, toDb: string, toColl: string): CollectionStore {
    checkName(toDb, toColl);
    const target = new CollectionStore(toDb, toColl, store.options);
    for (const [id, doc] of store.docs) target.docs.set(id, doc);
    for (const index of store.indexes.values()) target.addIndex(index.spec);
    this.dbs.get(store.db)?.delete(store.name);
    if (this.dbs.get(store.db)?.size === 0) this.dbs.delete(store.db);
    let colls = this.dbs.get(toDb);
    if (!colls) {
      colls = new Map();
      this.dbs.set(toDb, colls);
    }
    colls.set(toColl, target);
    this.sink?.append({ op: "rename", db: store.db, coll: store.name, toDb, toColl });
    return target;
  }

  /**
   * Deletes documents whose TTL index field (a date, or the earliest date of an array) is older than the
   * index's `expireAfterSeconds`, as MongoDB's TTL monitor does. Returns how many were deleted.
   */
  expire(now: number): number {
    let deleted = 0;
    for (const colls of this.dbs.values()) {
      for (const store of colls.values()) {
        for (const index of store.indexes.values()) {
          const ttl = index.spec.expireAfterSeconds;
          if (ttl === undefined || index.fields.length !== 1) continue;
          const cutoff = now - ttl * 1000;
          const expired: Doc[] = [];
          for (const doc of store.docs.values()) {
            const value = getPath(doc, index.fields[0]);
            const dates = (Array.isArray(value) ? value : [value]).filter(
              (v): v is Date => v instanceof Date,
            );
            if (dates.length > 0 && Math.min(...dates.map((d) => d.getTime())) <= cutoff) expired.push(doc);
          }
          for (const doc of expired) if (store.docs.has(idKey(doc._id))) this.delete(store, doc);
          deleted += expired.length;
        }
      }
    }
    return deleted;
  }

  /** Applies a journal record during recovery (no sink is attached then). */
  replay(record: JournalRecord): void {
    switch (record.op) {
      case "put": {
        const store = this.getOrCreate(record.db, record.coll);
        const id = idKey(record.doc._id);
        if (store.docs.has(id)) store.replace(id, record.doc);
        else store.insert(id, record.doc);
        break;
      }
      case "del":
        this.get(record.db, record.coll)?.remove(idKey(record.id));
        break;
      case "create":
        if (!this.get(record.db, record.coll)) this.create(record.db, record.coll, record.options);
        break;
      case "drop":
        this.drop(record.db, record.coll);
        break;
      case "dropDatabase":
        this.dropDatabase(record.db);
        break;
      case "index":
        this.getOrCreate(record.db, record.coll).addIndex(record.spec);
        break;
      case "dropIndex":
        this.get(record.db, record.coll)?.indexes.delete(record.name);
        break;
      case "options": {
        const store = this.get(record.db, record.coll);
        if (store) store.options = record.options;
        break;
      }
      case "rename": {
        const store = this.get(record.db, record.coll);
        if (store) this.rename(store, record.toDb, record.toColl);
        break;
      }
    }
  }

  /** Every record needed to rebuild the current state (used to compact the journal). */
  *snapshot(): Generator<JournalRecord> {
    for (const [db, colls] of this.dbs) {
      for (const [coll, store] of colls) {
        yield { op: "create", db, coll, options: store.options };
        for (const doc of store.docs.values()) yield { op: "put", db, coll, doc };
        for (const index of store.indexes.values()) yield { op: "index", db, coll, spec: index.spec };
      }
    }
  }
}
