import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, inject } from "vitest";
import { EmbeddedMongoServer } from "../../framework/mongo-server/index.js";

let embedded: EmbeddedMongoServer | undefined;
let starting: Promise<string> | undefined;

/**
 * The real MongoDB the tests run against: CORE4_MONGODB_URI when it is a `mongodb://` or `mongodb+srv://`
 * URI, undefined when they use the embedded server. The one place that rule is written.
 */
export function realMongoUri(): string | undefined {
  const given = process.env.CORE4_MONGODB_URI;
  return given !== undefined && /^mongodb(\+srv)?:\/\//.test(given) ? given : undefined;
}

/** Whether the tests run against a real MongoDB (embedded-only tests skip then). */
export const usesRealMongo: boolean = realMongoUri() !== undefined;

/**
 * The MongoDB URI tests use: {@link realMongoUri} when set, otherwise an in-memory embedded server started
 * once per test file and stopped after it.
 */
export function testMongoUri(): Promise<string> {
  const given = realMongoUri();
  if (given !== undefined) return Promise.resolve(given);
  if (!starting) {
    starting = (async () => {
      embedded = new EmbeddedMongoServer();
      await embedded.start();
      return embedded.uri;
    })();
    afterAll(async () => {
      await embedded?.stop();
      embedded = undefined;
      starting = undefined;
    });
  }
  return starting;
}

/** The redis-server started by the global setup (or CORE4_REDIS_URL). */
export function testRedisUrl(): string {
  return inject("redisUrl");
}

/** A database name no other test uses. */
export function uniqueName(prefix = "t"): string {
  return `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/** A connected client for assertions; closed after the file. */
export async function testMongoClient(): Promise<MongoClient> {
  const client = new MongoClient(await testMongoUri());
  await client.connect();
  afterAll(async () => {
    await client.close();
  });
  return client;
}
