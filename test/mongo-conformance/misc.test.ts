import { Double, Int32, Long } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usesRealMongo } from "../support/services.js";
import { openTarget, type Target } from "./harness.js";

const external = usesRealMongo;
let t: Target;
beforeAll(async () => {
  t = await openTarget("misc");
});
afterAll(async () => {
  await t?.close();
});

describe("commands", () => {
  it("answers ping, hello and buildInfo", async () => {
    expect(await t.db.admin().ping()).toMatchObject({ ok: 1 });
    const hello = await t.db.admin().command({ hello: 1 });
    expect(hello).toMatchObject({ ok: 1, isWritablePrimary: true, maxBsonObjectSize: 16 * 1024 * 1024 });
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(8);
    const info = await t.db.admin().command({ buildInfo: 1 });
    expect(info.version).toMatch(/^\d+\.\d+/);
  });

  it("rejects an unknown command with CommandNotFound (59)", async () => {
    await expect(t.db.command({ noSuchCommandHere: 1 })).rejects.toMatchObject({
      code: 59,
      codeName: "CommandNotFound",
    });
  });

  it("rejects an unknown command field", async () => {
    await expect(t.db.command({ find: "x", filter: {}, notAField: 1 })).rejects.toMatchObject({
      code: 40415,
    });
  });

  it("creates, lists, renames and drops collections and databases", async () => {
    await t.db.createCollection("made");
    await expect(t.db.createCollection("made")).rejects.toMatchObject({ code: 48 });
    await t.db.collection("implicit").insertOne({ x: 1 });
    // Other tests of this file share the database: look at this test's collections only.
    const names = (await t.db.listCollections().toArray())
      .map((c) => c.name)
      .filter((name) => name === "implicit" || name === "made")
      .sort();
    expect(names).toEqual(["implicit", "made"]);
    const filtered = await t.db.listCollections({ name: "made" }, { nameOnly: true }).toArray();
    expect(filtered).toEqual([{ name: "made", type: "collection" }]);
    await t.db.renameCollection("implicit", "renamed");
    expect(await t.db.collection("renamed").countDocuments()).toBe(1);
    expect(await t.db.collection("made").drop()).toBe(true);
    const dbs = await t.client.db("admin").admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain(t.db.databaseName);
    const other = t.client.db(`${t.db.databaseName}_x`);
    await other.collection("c").insertOne({ a: 1 });
    expect(await other.dropDatabase()).toBe(true);
    const after = await t.client.db("admin").admin().listDatabases({ nameOnly: true });
    expect(after.databases.map((d) => d.name)).not.toContain(other.databaseName);
  });

  it("applies w:0 writes (no reply, moreToCome)", async () => {
    const c = t.db.collection("unacked");
    await c.insertOne({ _id: "q" } as never, { writeConcern: { w: 0 } });
    let found = null;
    for (let i = 0; i < 50 && !found; i++) {
      found = await c.findOne({ _id: "q" } as never);
      if (!found) await new Promise((r) => setTimeout(r, 20));
    }
    expect(found).toEqual({ _id: "q" });
  });
});

describe("numbers and precision", () => {
  it("keeps int32, int64 and double values exactly", async () => {
    const c = t.db.collection("nums");
    const big = Long.fromString("9007199254740993"); // 2^53 + 1: not representable as a double
    await c.insertOne({
      _id: 1,
      i32: new Int32(2147483647),
      i64: big,
      neg: Long.fromString("-9223372036854775808"),
      dbl: new Double(0.1),
      frac: 1 / 3,
      wide: 2 ** 52 + 1,
    } as never);
    const doc = await c.findOne({ _id: 1 } as never, { promoteLongs: false });
    expect(doc?.i32).toBe(2147483647);
    expect(String(doc?.i64)).toBe("9007199254740993");
    expect(String(doc?.neg)).toBe("-9223372036854775808");
    expect(doc?.dbl).toBe(0.1);
    expect(doc?.frac).toBe(1 / 3);
    expect(Number(doc?.wide)).toBe(2 ** 52 + 1);
    await c.updateOne({ _id: 1 } as never, { $inc: { i32: 1 } });
    const incremented = await c.findOne({ _id: 1 } as never);
    expect(incremented?.i32).toBe(2147483648);
    expect(await c.countDocuments({ frac: { $gt: 0.33, $lt: 0.34 } })).toBe(1);
  });

  it("keeps millisecond dates", async () => {
    const c = t.db.collection("when");
    const at = new Date("2024-05-06T07:08:09.123Z");
    await c.insertOne({ at });
    expect((await c.findOne({ at }))?.at).toEqual(at);
  });
});

describe.skipIf(external)("embedded server: unsupported options fail loudly", () => {
  it("rejects collation options Intl cannot honour, min/max, explain, capped collections and text indexes", async () => {
    const c = t.db.collection("unsupported");
    await c.insertOne({ s: "a" });
    await expect(
      c.find({}, { collation: { locale: "fr", backwards: true } }).toArray(),
    ).rejects.toMatchObject({ code: 238 });
    await expect(t.db.command({ find: "unsupported", min: { s: 1 } })).rejects.toMatchObject({ code: 238 });
    await expect(c.aggregate([], { explain: true }).toArray()).rejects.toMatchObject({ code: 238 });
    await expect(t.db.createCollection("capped", { capped: true, size: 1024 })).rejects.toMatchObject({
      code: 238,
    });
    await expect(c.createIndex({ s: "text" })).rejects.toMatchObject({ code: 238 });
  });

  it("refuses transactions like a standalone server", async () => {
    const session = t.client.startSession();
    session.startTransaction();
    await expect(t.db.collection("tx").insertOne({ a: 1 }, { session })).rejects.toThrow();
    expect(await t.db.collection("tx").countDocuments()).toBe(0);
    await session.abortTransaction().catch(() => undefined);
    await session.endSession();
  });
});
