import { createHash } from "node:crypto";
import { Binary } from "bson";
import { type Doc, isPlainObject } from "./bson-values.js";

/** MongoDB drops a session after `logicalSessionTimeoutMinutes` (30) without use. */
const SESSION_TIMEOUT_MS = 30 * 60 * 1000;
const MAX_SESSIONS = 10_000;

/**
 * The logical sessions clients used (their `lsid`), as `$listLocalSessions` reports them. The server keeps
 * no other session state: no transactions, no retryable-write history.
 */
export class SessionCache {
  private readonly sessions = new Map<string, { id: Binary; user: string; lastUse: Date }>();

  /** Records the use of a command's `lsid`, if it carries one. */
  touch(lsid: unknown, user: string | undefined): void {
    if (!isPlainObject(lsid) || !(lsid.id instanceof Binary)) return;
    const key = Buffer.from(lsid.id.buffer).toString("hex");
    this.sessions.delete(key);
    this.sessions.set(key, { id: lsid.id, user: user ?? "", lastUse: new Date() });
    if (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
  }

  /** Forgets sessions (`endSessions`). */
  end(ids: unknown): void {
    if (!Array.isArray(ids)) return;
    for (const lsid of ids) {
      if (isPlainObject(lsid) && lsid.id instanceof Binary) {
        this.sessions.delete(Buffer.from(lsid.id.buffer).toString("hex"));
      }
    }
  }

  /** The sessions in use, in `$listLocalSessions` shape (`{_id: {id, uid}, lastUse}`). */
  list(): Doc[] {
    const limit = Date.now() - SESSION_TIMEOUT_MS;
    const out: Doc[] = [];
    for (const [key, session] of this.sessions) {
      if (session.lastUse.getTime() < limit) {
        this.sessions.delete(key);
        continue;
      }
      const uid = new Binary(createHash("sha256").update(session.user).digest());
      out.push({ _id: { id: session.id, uid }, lastUse: session.lastUse });
    }
    return out;
  }
}
