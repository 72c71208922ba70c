import type { Collection, Document } from "mongodb";
import type { LoginDoc } from "./types.js";

/** Name of the unique (day, user) index of the target collection. */
export const TARGET_INDEX = "day_1_user_1";

/**
 * Creates the target's unique (day, user) index: it keeps one document per day and user and serves both the
 * per-day rewrite and the report's range scan. Idempotent.
 */
export async function ensureTargetIndexes(target: Collection<LoginDoc>): Promise<void> {
  await target.createIndex({ day: 1, user: 1 }, { unique: true, name: TARGET_INDEX });
}

/**
 * Creates a (message, created) index on the source log so each day's logins are found without a scan.
 * The source may be another team's collection on another cluster with read-only access: failure is
 * returned, not thrown, for the caller to log.
 */
export async function ensureSourceIndexes(source: Collection<Document>): Promise<Error | undefined> {
  try {
    await source.createIndex({ message: 1, created: 1 }, { name: "message_1_created_1" });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
