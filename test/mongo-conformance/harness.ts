/**
 * Conformance-test target: the embedded server (in memory) by default, a real MongoDB when
 * CORE4_MONGODB_URI is a mongodb:// URI. Each test file gets its own database, dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import { type Db, MongoClient } from "mongodb";
import { EmbeddedMongoServer } from "../../framework/mongo-server/index.js";
import { realMongoUri } from "../support/services.js";

/** An open target: a client, a fresh database, and cleanup. */
export interface Target {
  client: MongoClient;
  db: Db;
  /** True when running against the embedded server. */
  embedded: boolean;
  /** The server's connection string. */
  uri: string;
  close(): Promise<void>;
}

/** Connects to the target for one test file; `name` becomes part of the database name. */
export async function openTarget(name: string): Promise<Target> {
  const external = realMongoUri();
  const useExternal = external !== undefined;
  let server: EmbeddedMongoServer | undefined;
  let uri: string;
  if (useExternal) uri = external;
  else {
    server = new EmbeddedMongoServer();
    await server.start();
    uri = server.uri;
  }
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db(`conf_${name}_${randomBytes(4).toString("hex")}`);
  return {
    client,
    db,
    embedded: !useExternal,
    uri,
    async close() {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
      await server?.stop();
    },
  };
}
