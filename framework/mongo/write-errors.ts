import {
  MongoBulkWriteError,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from "mongodb";

/** MongoDB's duplicate-key error code: a document with that `_id` (or unique key) is already stored. */
export const DUPLICATE_KEY = 11000;

/**
 * Server error codes of a replica set or cluster in transition (MongoDB's retryable write error codes): a
 * write that failed with one may succeed when tried again.
 */
export const RETRYABLE_WRITE_CODES: ReadonlySet<number> = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  63, // StaleShardVersion
  89, // NetworkTimeout
  91, // ShutdownInProgress
  134, // ReadConcernMajorityNotAvailableYet
  150, // StaleEpoch
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** One document's error in a failed bulk write: its position in the batch and MongoDB's answer. */
export interface DocumentWriteError {
  index: number;
  code: number;
  errmsg: string | undefined;
}

/**
 * The per-document errors of a failed bulk write (`insertMany`, `bulkWrite`); none when the error is not a
 * bulk-write error or the write failed as a whole (the driver then reports no document).
 */
export function documentWriteErrors(error: unknown): DocumentWriteError[] {
  if (!(error instanceof MongoBulkWriteError)) return [];
  const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return errors
    .filter((e) => e !== undefined)
    .map((e) => ({ index: e.index, code: e.code, errmsg: e.errmsg }));
}

/** Whether a write failed only because what it wrote was already there (a unique key or `_id` taken). */
export function isDuplicateKeyError(error: unknown): boolean {
  const errors = documentWriteErrors(error);
  if (errors.length > 0) return errors.every((e) => e.code === DUPLICATE_KEY);
  return (error as { code?: unknown } | null | undefined)?.code === DUPLICATE_KEY;
}

/**
 * Whether MongoDB could not be reached, or lost the write while failing over: trying the same write later
 * may succeed. A lost connection during a bulk write arrives wrapped in a bulk-write error with no
 * per-document errors.
 */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) {
    return (
      documentWriteErrors(error).length === 0 &&
      error.errorResponse !== error &&
      isUnreachable(error.errorResponse)
    );
  }
  if (error instanceof MongoError && error.hasErrorLabel("RetryableWriteError")) return true;
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code === "number" && RETRYABLE_WRITE_CODES.has(code)) return true;
  return (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError ||
    // The collection getter of a closed MongoRegistry throws (shutdown).
    (error instanceof Error && /\bclosed\b/i.test(error.message))
  );
}
