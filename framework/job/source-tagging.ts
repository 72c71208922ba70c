import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import { SourceNotSetError } from "./errors/index.js";

/** Where a job's writes come from: read by the tagging wrapper at every write. */
export interface SourceState {
  /** The job's current source (undefined before `setSource()`). */
  readonly source: string | undefined;
  /** The job id stamped as `_job_id`. */
  readonly jobId: string;
  /** Job name, for error messages. */
  readonly jobName: string;
}

type Stamp = { _src: string; _job_id: string };

const WRITE_METHODS = new Set([
  "insertOne",
  "insertMany",
  "updateOne",
  "updateMany",
  "replaceOne",
  "findOneAndUpdate",
  "findOneAndReplace",
  "bulkWrite",
]);

// Writes that bypass the wrapper's stamping: refused rather than silently left untagged.
const UNTAGGABLE = new Set(["initializeOrderedBulkOp", "initializeUnorderedBulkOp"]);

/** Whether a collection name is a `sys.*` collection, which core4 never stamps. */
export function isSysCollection(name: string): boolean {
  return name.startsWith("sys.");
}

/**
 * Wraps a driver collection so that every insert, update (inside `$set`, so upserts too; a `$set` stage is
 * appended to pipeline updates), replace and bulk write carries `_src` and `_job_id`. Writes before
 * `setSource()` throw a {@link SourceNotSetError}. Reads and deletes pass through unchanged.
 */
export function sourceTagged<T extends Document>(
  collection: Collection<T>,
  state: SourceState,
): Collection<T> {
  if (isSysCollection(collection.collectionName)) return collection;
  const stamp = (): Stamp => {
    if (state.source === undefined) {
      throw new SourceNotSetError(
        `job ${state.jobName} wrote to ${collection.dbName}.${collection.collectionName} before setSource(): call this.setSource(name) first`,
      );
    }
    return { _src: state.source, _job_id: state.jobId };
  };
  return new Proxy(collection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== "string" || typeof value !== "function") return value;
      if (UNTAGGABLE.has(property)) {
        return () => {
          throw new Error(
            `${property}() is not supported on a job's collection: use bulkWrite(), which is source-tagged`,
          );
        };
      }
      if (!WRITE_METHODS.has(property)) return value.bind(target);
      return (...args: unknown[]) => {
        const s = stamp();
        return (value as (...a: unknown[]) => unknown).apply(target, tagArguments(property, args, s));
      };
    },
  });
}

function tagArguments(method: string, args: unknown[], s: Stamp): unknown[] {
  const out = [...args];
  switch (method) {
    case "insertOne":
      out[0] = { ...(args[0] as Document), ...s };
      break;
    case "insertMany":
      out[0] = (args[0] as Document[]).map((d) => ({ ...d, ...s }));
      break;
    case "replaceOne":
    case "findOneAndReplace":
      out[1] = { ...(args[1] as Document), ...s };
      break;
    case "updateOne":
    case "updateMany":
    case "findOneAndUpdate":
      out[1] = tagUpdate(args[1], s);
      break;
    case "bulkWrite":
      out[0] = (args[0] as AnyBulkWriteOperation<Document>[]).map((op) => tagBulkOperation(op, s));
      break;
  }
  return out;
}

function tagUpdate(update: unknown, s: Stamp): unknown {
  if (Array.isArray(update)) return [...update, { $set: s }];
  const u = (update ?? {}) as Document;
  return { ...u, $set: { ...(u.$set as Document | undefined), ...s } };
}

function tagBulkOperation(op: AnyBulkWriteOperation<Document>, s: Stamp): AnyBulkWriteOperation<Document> {
  if ("insertOne" in op)
    return { insertOne: { ...op.insertOne, document: { ...op.insertOne.document, ...s } } };
  if ("replaceOne" in op)
    return { replaceOne: { ...op.replaceOne, replacement: { ...op.replaceOne.replacement, ...s } } };
  if ("updateOne" in op)
    return { updateOne: { ...op.updateOne, update: tagUpdate(op.updateOne.update, s) as Document } };
  if ("updateMany" in op)
    return { updateMany: { ...op.updateMany, update: tagUpdate(op.updateMany.update, s) as Document } };
  return op;
}
