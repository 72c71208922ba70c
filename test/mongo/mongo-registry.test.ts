import { afterAll, describe, expect, it } from "vitest";
import { MongoRegistry } from "../../framework/mongo/index.js";
import { EmbeddedMongoServer } from "../../framework/services/index.js";
import { testMongoClient, testMongoUri, uniqueName } from "../support/services.js";

describe("MongoRegistry", async () => {
  const uri = await testMongoUri();
  const registry = new MongoRegistry({ uri, sysDatabase: uniqueName("sys") });
  const client = await testMongoClient();
  const otherDb = uniqueName("other");
  afterAll(async () => {
    await client.db(otherDb).dropDatabase();
    await client.db(registry.sysDatabase).dropDatabase();
    await registry.close();
  });

  it("reaches another database through a db/coll reference, on one shared client", async () => {
    await registry.collection(`${otherDb}/events`).insertOne({ n: 1 });
    await registry.sys("log").insertOne({ n: 2 });
    expect(await client.db(otherDb).collection("events").countDocuments({ n: 1 })).toBe(1);
    expect(await client.db(registry.sysDatabase).collection("sys.log").countDocuments({ n: 2 })).toBe(1);
    expect(registry.collection(`${otherDb}/events`).dbName).toBe(otherDb);
    expect(registry.client()).toBe(registry.client(uri));
  });

  it("reaches a collection through a full URI reference", async () => {
    const [base = "", query] = uri.split("?");
    const hosts = /^mongodb(?:\+srv)?:\/\/[^/]*/.exec(base)?.[0];
    const ref = `${hosts}/${otherDb}/viaUri${query ? `?${query}` : ""}`;
    await registry.collection(ref).insertOne({ via: "uri" });
    expect(
      await client
        .db(otherDb)
        .collection("viaUri")
        .findOne({}, { projection: { _id: 0 } }),
    ).toEqual({
      via: "uri",
    });
  });

  it("reports an unreachable cluster as false, without throwing", async () => {
    const dead = new MongoRegistry({
      uri: "mongodb://127.0.0.1:1/?directConnection=true",
      clientOptions: { serverSelectionTimeoutMS: 300 },
    });
    expect(await dead.ping(2_000)).toBe(false);
    await dead.close();
  });

  it("works once a cluster that was down at first comes up", async () => {
    const probe = new EmbeddedMongoServer();
    await probe.start();
    const port = probe.port;
    await probe.stop();
    const late = new MongoRegistry({
      uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
      clientOptions: { serverSelectionTimeoutMS: 300 },
    });
    await expect(late.sys("log").insertOne({ early: true })).rejects.toThrow();
    const server = new EmbeddedMongoServer({ port });
    await server.start();
    try {
      await expect.poll(() => late.ping(1_000), { timeout: 10_000 }).toBe(true);
      await late.sys("log").insertOne({ late: true });
      expect(await late.sys("log").countDocuments({ late: true })).toBe(1);
    } finally {
      await late.close();
      await server.stop();
    }
  });
});
