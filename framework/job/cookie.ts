import type { Collection, Document } from "mongodb";

/** Values a cookie can hold: anything MongoDB stores. */
export type CookieValue = unknown;

/** The stored document: `{_id: <job name>, <key>: <value>..., last_runtime}`. */
export interface CookieDocument extends Document {
  _id: string;
  last_runtime?: Date;
}

const RESERVED = new Set(["_id"]);

/**
 * Durable per-job-type state in `sys.cookie` (core4's cookie): one document per job name. Every operation
 * is a single atomic MongoDB update, so concurrent runs of the same type never lose a write. It survives
 * Redis loss and BullMQ retention; a rerun after a crash resumes from what the last run checkpointed.
 */
export class Cookie {
  constructor(
    private readonly collection: Collection<CookieDocument>,
    /** The job name the cookie belongs to (its `_id`). */
    readonly jobName: string,
  ) {}

  /** Reads a value; `fallback` (default undefined) when the key is not set. */
  async get<T = CookieValue>(key: string, fallback?: T): Promise<T | undefined> {
    checkKey(key);
    const doc = await this.collection.findOne({ _id: this.jobName }, { projection: { [key]: 1 } });
    const value = doc?.[key] as T | undefined;
    return value === undefined ? fallback : value;
  }

  /** Reads the whole cookie (empty object when nothing was stored yet). */
  async all(): Promise<Record<string, CookieValue>> {
    const doc = await this.collection.findOne({ _id: this.jobName });
    if (!doc) return {};
    const { _id, ...rest } = doc;
    return rest;
  }

  /** Sets one key, or several at once when given an object. */
  async set(key: string, value: CookieValue): Promise<void>;
  async set(values: Record<string, CookieValue>): Promise<void>;
  async set(keyOrValues: string | Record<string, CookieValue>, value?: CookieValue): Promise<void> {
    const values = typeof keyOrValues === "string" ? { [keyOrValues]: value } : keyOrValues;
    for (const key of Object.keys(values)) checkKey(key);
    await this.collection.updateOne({ _id: this.jobName }, { $set: values }, { upsert: true });
  }

  /** Adds `by` (default 1) to a numeric key and returns the new value (a missing key counts as 0). */
  inc(key: string, by = 1): Promise<number> {
    return this.update(key, { $inc: { [key]: by } });
  }

  /** Subtracts `by` (default 1) from a numeric key and returns the new value. */
  dec(key: string, by = 1): Promise<number> {
    return this.update(key, { $inc: { [key]: -by } });
  }

  /** Stores `value` when it is greater than the stored one (or none is stored); returns the value kept. */
  max<T extends number | Date | string>(key: string, value: T): Promise<T> {
    return this.update(key, { $max: { [key]: value } });
  }

  /** Stores `value` when it is less than the stored one (or none is stored); returns the value kept. */
  min<T extends number | Date | string>(key: string, value: T): Promise<T> {
    return this.update(key, { $min: { [key]: value } });
  }

  /** Removes one key; without a key, the whole cookie. */
  async delete(key?: string): Promise<void> {
    if (key === undefined) {
      await this.collection.deleteOne({ _id: this.jobName });
      return;
    }
    checkKey(key);
    await this.collection.updateOne({ _id: this.jobName }, { $unset: { [key]: "" } });
  }

  private async update<T>(key: string, update: Document): Promise<T> {
    checkKey(key);
    const doc = await this.collection.findOneAndUpdate({ _id: this.jobName }, update, {
      upsert: true,
      returnDocument: "after",
      projection: { [key]: 1 },
    });
    return doc?.[key] as T;
  }
}

function checkKey(key: string): void {
  if (key === "" || RESERVED.has(key) || key.startsWith("$")) {
    throw new Error(`cookie key "${key}" is not allowed (empty, "_id" or starting with "$")`);
  }
}
