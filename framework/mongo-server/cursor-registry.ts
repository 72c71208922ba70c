import type { Doc } from "./bson-values.js";

/** An open cursor: the remaining results of a find or aggregate. */
export interface OpenCursor {
  id: number;
  ns: string;
  docs: Doc[];
  position: number;
  lastUsed: number;
}

/** Idle cursors are dropped after this long, as MongoDB does (cursorTimeoutMillis defaults to 10 minutes). */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

/** Open cursors by id. Ids are positive, below 2^53 (exact as numbers) and sent to clients as int64. */
export class CursorRegistry {
  private readonly cursors = new Map<number, OpenCursor>();
  private nextId = Math.floor(Math.random() * 2 ** 40) + 1;

  /** Registers the rest of a result set and returns the cursor. */
  open(ns: string, docs: Doc[], position: number): OpenCursor {
    this.sweep();
    const cursor: OpenCursor = { id: this.nextId++, ns, docs, position, lastUsed: Date.now() };
    this.cursors.set(cursor.id, cursor);
    return cursor;
  }

  /** A cursor by id, or undefined. */
  get(id: number): OpenCursor | undefined {
    const cursor = this.cursors.get(id);
    if (cursor) cursor.lastUsed = Date.now();
    return cursor;
  }

  /** Closes a cursor; returns whether it existed. */
  close(id: number): boolean {
    return this.cursors.delete(id);
  }

  /** Closes every cursor. */
  clear(): void {
    this.cursors.clear();
  }

  private sweep(): void {
    const limit = Date.now() - IDLE_TIMEOUT_MS;
    for (const [id, cursor] of this.cursors) if (cursor.lastUsed < limit) this.cursors.delete(id);
  }
}
