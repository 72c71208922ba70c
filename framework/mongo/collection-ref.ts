import { Core4Error, type Core4ErrorCode } from "../errors/core4-error.js";

/** A collection reference resolved to cluster, database and collection. */
export interface CollectionRef {
  /** Cluster URI without a database path (may contain credentials: never log it, use {@link redactUri}). */
  uri: string;
  db: string;
  collection: string;
}

/** Defaults filled into a reference that omits parts. */
export interface CollectionRefDefaults {
  uri: string;
  db: string;
}

/** Raised for a collection reference that cannot be understood. */
export class CollectionRefError extends Core4Error {
  override readonly name = "CollectionRefError";
  readonly code = "COLLECTION_REF_INVALID" satisfies Core4ErrorCode;
}

/**
 * Parses `coll`, `db/coll` or `mongodb://user:pw@host:port/db/coll` (also `mongodb+srv://`).
 * Missing parts come from `defaults`. Collection names may contain dots (`sys.log`).
 */
export function parseCollectionRef(ref: string, defaults: CollectionRefDefaults): CollectionRef {
  const text = ref.trim();
  if (text === "") throw new CollectionRefError("collection reference is empty");
  const scheme = /^(mongodb(?:\+srv)?:\/\/)([^/]*)(\/[^?]*)?(\?.*)?$/.exec(text);
  if (scheme) {
    const [, prefix, hosts, path = "", query = ""] = scheme;
    const parts = path.split("/").filter(Boolean);
    if (parts.length !== 2) {
      throw new CollectionRefError(
        `collection reference ${redactUri(text)} must end in /<database>/<collection>`,
      );
    }
    const [db, collection] = parts as [string, string];
    return {
      uri: `${prefix}${hosts}/${query}`,
      db: checkDb(db, text),
      collection: checkColl(collection, text),
    };
  }
  const parts = text.split("/");
  if (parts.length === 1) {
    return { uri: defaults.uri, db: defaults.db, collection: checkColl(text, text) };
  }
  if (parts.length === 2) {
    const [db, collection] = parts as [string, string];
    return { uri: defaults.uri, db: checkDb(db, text), collection: checkColl(collection, text) };
  }
  throw new CollectionRefError(
    `collection reference "${text}" must be coll, db/coll or mongodb://host/db/coll`,
  );
}

function checkDb(db: string, ref: string): string {
  if (!/^[^\s/\\."$*<>:|?]{1,63}$/.test(db)) {
    throw new CollectionRefError(`invalid database name "${db}" in collection reference ${redactUri(ref)}`);
  }
  return db;
}

function checkColl(collection: string, ref: string): string {
  if (
    collection === "" ||
    collection.includes("$") ||
    collection.startsWith(".") ||
    collection.includes("\0")
  ) {
    throw new CollectionRefError(
      `invalid collection name "${collection}" in collection reference ${redactUri(ref)}`,
    );
  }
  return collection;
}

/** Replaces the password of a MongoDB or Redis URI with `***`, for logs and error messages. */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^:@/]*):([^@/]*)@/i, "$1$2:***@");
}
