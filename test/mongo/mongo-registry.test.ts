import { afterAll, describe, expect, it } from "vitest";
import { MongoRegistry } from "../../framework/mongo/index.js";
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
});
