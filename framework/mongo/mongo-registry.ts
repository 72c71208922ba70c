import { type Collection, type Db, type Document, MongoClient, type MongoClientOptions } from "mongodb";
import { parseCollectionRef, redactUri } from "./collection-ref.js";

/** Options of a {@link MongoRegistry}. */
export interface MongoRegistryOptions {
  /** The default cluster (a mongodb:// URI; embedded servers are resolved to theirs before this point). */
  uri: string;
  /** Database of the sys.* collections, and the default for references without one. */
  sysDatabase?: string;
  /** Extra driver options for every client. */
  clientOptions?: MongoClientOptions;
}

/**
 * One shared `MongoClient` per cluster URI, and collection references resolved to driver collections.
 * Clients connect lazily (the driver connects on first operation) and are all closed by {@link close}.
 */
export class MongoRegistry {
  /** The default cluster URI. */
  readonly uri: string;
  /** Database of the sys.* collections. */
  readonly sysDatabase: string;
  private readonly clients = new Map<string, MongoClient>();
  private readonly clientOptions: MongoClientOptions;
  private closed = false;

  constructor(options: MongoRegistryOptions) {
    this.uri = options.uri;
    this.sysDatabase = options.sysDatabase ?? "core4";
    this.clientOptions = { serverSelectionTimeoutMS: 10_000, ...options.clientOptions };
  }

  /** The shared client of a cluster (the default cluster without an argument). */
  client(uri: string = this.uri): MongoClient {
    if (this.closed) throw new Error("MongoRegistry is closed");
    let client = this.clients.get(uri);
    if (!client) {
      try {
        client = new MongoClient(uri, this.clientOptions);
      } catch (error) {
        // The driver's parse errors may quote the URI; never let a password through.
        const message =
          error instanceof Error ? error.message.replaceAll(uri, redactUri(uri)) : String(error);
        throw new Error(`invalid MongoDB URI ${redactUri(uri)}: ${message}`);
      }
      this.clients.set(uri, client);
      const created = client;
      // The driver closes a client whose first connect fails and never reopens it ("Topology is closed"):
      // forget such a client, so that the next call, once the cluster is up, gets a fresh one.
      created.connect().catch(() => {
        if (this.clients.get(uri) === created) this.clients.delete(uri);
        void created.close().catch(() => undefined);
      });
    }
    return client;
  }

  /** A database of the default cluster. */
  db(name: string): Db {
    return this.client().db(name);
  }

  /**
   * Resolves a collection reference (`coll`, `db/coll`, `mongodb://…/db/coll`) to a driver collection.
   * `defaultDb` fills a reference without a database (the sys database when omitted).
   */
  collection<T extends Document = Document>(
    ref: string,
    defaultDb: string = this.sysDatabase,
  ): Collection<T> {
    const resolved = parseCollectionRef(ref, { uri: this.uri, db: defaultDb });
    return this.client(resolved.uri).db(resolved.db).collection<T>(resolved.collection);
  }

  /** A `sys.<name>` collection of the sys database (`core4/sys.log`, ...). */
  sys<T extends Document = Document>(name: string): Collection<T> {
    return this.client().db(this.sysDatabase).collection<T>(`sys.${name}`);
  }

  /** Pings the default cluster; resolves to false instead of throwing when it is unreachable. */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    try {
      await withTimeout(this.client().db("admin").command({ ping: 1 }), timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /** Closes every client. The registry cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
