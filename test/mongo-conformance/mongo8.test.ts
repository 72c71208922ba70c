/**
 * MongoDB 8.0 behaviour the CRUD specification covers, each case as MongoDB's documentation states it:
 * the advertised version, `sort` in update statements, `let`, pipeline updates, `_id` storage rules,
 * projection order, database-level aggregates, views, `$merge` and `$out`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTarget, type Target } from "./harness.js";

let t: Target;
beforeAll(async () => {
  t = await openTarget("mongo8");
});
afterAll(async () => {
  await t?.close();
});

describe("MongoDB 8.0", () => {
  it("reports version 8.0 and wire version 25 or more", async () => {
    const info = await t.db.admin().command({ buildInfo: 1 });
    expect(Number(info.versionArray[0])).toBeGreaterThanOrEqual(8);
    const hello = await t.db.admin().command({ hello: 1 });
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(25);
  });

  it("applies sort in updateOne and replaceOne (8.0)", async () => {
    const c = t.db.collection<{ _id: number; x: number; done?: boolean }>("sorted");
    await c.insertMany([
      { _id: 1, x: 1 },
      { _id: 2, x: 2 },
      { _id: 3, x: 3 },
    ]);
    await c.updateOne({}, { $set: { done: true } }, { sort: { x: -1 } });
    expect(await c.findOne({ done: true })).toMatchObject({ _id: 3 });
    await c.replaceOne({ x: { $lt: 3 } }, { x: 20 }, { sort: { x: -1 } });
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, x: 20 });
  });

  it("binds let variables to the values of their expressions", async () => {
    const c = t.db.collection<{ _id: number; a?: unknown; b?: number }>("letvars");
    await c.insertMany([{ _id: 1 }, { _id: 2, b: 5 }]);
    const out = await c
      .aggregate([{ $match: { _id: 1 } }, { $project: { _id: 0, v: "$$obj", n: "$$sum" } }], {
        let: { obj: { $literal: { $x: 1 } }, sum: { $add: [1, 2] } },
      })
      .toArray();
    expect(out).toEqual([{ v: { $x: 1 }, n: 3 }]);
    await c.updateMany({ $expr: { $eq: ["$b", "$$five"] } }, [{ $set: { a: "$$val" } }], {
      let: { five: 5, val: { $literal: "lit" } },
    });
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, b: 5, a: "lit" });
  });

  it("keeps _id when an update pipeline replaces the root", async () => {
    const c = t.db.collection<{ _id: number; t?: { u: string }; u?: string; foo?: number }>("pipeupd");
    await c.insertOne({ _id: 1, t: { u: "v" } });
    await c.updateOne({ _id: 1 }, [{ $replaceRoot: { newRoot: "$t" } }, { $addFields: { foo: 1 } }]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, u: "v", foo: 1 });
  });

  it("refuses $-prefixed field names inside _id", async () => {
    const c = t.db.collection("dollarid");
    await expect(c.insertOne({ _id: { $a: 1 } } as never)).rejects.toThrow(/\$/);
    await expect(c.insertOne({ _id: { a: { $b: 1 } } } as never)).rejects.toThrow();
    expect(await c.countDocuments()).toBe(0);
    // Elsewhere in a document, $-prefixed names are stored (MongoDB 5.0+).
    await c.insertOne({ _id: 1, a: { $b: 1 } } as never);
    expect(await c.countDocuments()).toBe(1);
  });

  it("keeps the stored field order in inclusion projections", async () => {
    const c = t.db.collection<{ _id: number; [k: string]: unknown }>("order");
    await c.insertOne({ _id: 1, z: 1, a: 2, m: { y: 1, b: 2 } });
    const doc = await c.findOne({ _id: 1 }, { projection: { a: 1, z: 1, "m.b": 1, "m.y": 1 } });
    expect(Object.keys(doc ?? {})).toEqual(["_id", "z", "a", "m"]);
    expect(Object.keys(doc?.m ?? {})).toEqual(["y", "b"]);
  });

  it("runs a database-level aggregate with $listLocalSessions", async () => {
    const out = await t.client
      .db("admin")
      .aggregate([
        { $listLocalSessions: {} },
        { $limit: 1 },
        { $addFields: { dummy: "dummy field" } },
        { $project: { _id: 0, dummy: 1 } },
      ])
      .toArray();
    expect(out).toEqual([{ dummy: "dummy field" }]);
  });
});

describe("views", () => {
  it("reads through the view's pipeline and refuses writes", async () => {
    const base = t.db.collection<{ _id: number; k: string; n: number }>("viewbase");
    await base.insertMany([
      { _id: 1, k: "a", n: 1 },
      { _id: 2, k: "b", n: 2 },
      { _id: 3, k: "a", n: 3 },
    ]);
    await t.db.createCollection("aview", { viewOn: "viewbase", pipeline: [{ $match: { k: "a" } }] });
    const view = t.db.collection("aview");
    expect(await view.find({}, { sort: { n: -1 } }).toArray()).toEqual([
      { _id: 3, k: "a", n: 3 },
      { _id: 1, k: "a", n: 1 },
    ]);
    expect(await view.countDocuments({ n: { $gt: 1 } })).toBe(1);
    expect(await view.estimatedDocumentCount()).toBe(2);
    expect(await view.distinct("n")).toEqual([1, 3]);
    expect(await view.aggregate([{ $group: { _id: null, s: { $sum: "$n" } } }]).toArray()).toEqual([
      { _id: null, s: 4 },
    ]);
    const info = await t.db.listCollections({ name: "aview" }).toArray();
    expect(info[0]).toMatchObject({ type: "view", options: { viewOn: "viewbase" } });
    await expect(view.insertOne({ k: "a" })).rejects.toMatchObject({ code: 166 });
    await expect(view.updateOne({}, { $set: { x: 1 } })).rejects.toMatchObject({ code: 166 });
    await expect(view.createIndex({ n: 1 })).rejects.toMatchObject({ code: 166 });
    expect(await base.countDocuments()).toBe(3);
  });
});

describe("$merge and $out", () => {
  it("$merge merges, replaces, keeps, fails and discards as told", async () => {
    const src = t.db.collection<{ _id: number; v: number; extra?: string }>("msrc");
    const dst = t.db.collection<{ _id: number; v?: number; old?: string; extra?: string }>("mdst");
    await src.insertMany([
      { _id: 1, v: 10 },
      { _id: 2, v: 20 },
    ]);
    await dst.insertOne({ _id: 1, v: 1, old: "kept" });
    await src.aggregate([{ $merge: { into: "mdst" } }]).toArray();
    expect(await dst.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, v: 10, old: "kept" },
      { _id: 2, v: 20 },
    ]);
    await src
      .aggregate([{ $match: { _id: 1 } }, { $merge: { into: "mdst", whenMatched: "replace" } }])
      .toArray();
    expect(await dst.findOne({ _id: 1 })).toEqual({ _id: 1, v: 10 });
    await src
      .aggregate([{ $merge: { into: "mdst", whenMatched: [{ $set: { v: { $add: ["$v", "$$new.v"] } } }] } }])
      .toArray();
    expect(await dst.findOne({ _id: 2 })).toEqual({ _id: 2, v: 40 });
    const failure = await src
      .aggregate([{ $merge: { into: "mdst", whenMatched: "fail" } }])
      .toArray()
      .then(
        () => undefined,
        (e: unknown) => e as { code?: number; keyPattern?: unknown; keyValue?: unknown },
      );
    expect(failure).toMatchObject({ code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 1 } });
    await src.insertOne({ _id: 3, v: 30 });
    await src.aggregate([{ $merge: { into: "mdst", whenNotMatched: "discard" } }]).toArray();
    expect(await dst.findOne({ _id: 3 })).toBeNull();
    await expect(
      src.aggregate([{ $merge: { into: "mdst", whenNotMatched: "fail" } }]).toArray(),
    ).rejects.toMatchObject({ code: 13113 });
    await expect(src.aggregate([{ $merge: { into: "mdst", on: "v" } }]).toArray()).rejects.toMatchObject({
      code: 51183,
    });
  });

  it("$out replaces the target and keeps its indexes", async () => {
    const src = t.db.collection<{ _id: number; k: number }>("osrc");
    await src.insertMany([
      { _id: 1, k: 1 },
      { _id: 2, k: 2 },
    ]);
    const dst = t.db.collection<{ _id: number; k: number }>("odst");
    await dst.insertOne({ _id: 9, k: 9 });
    await dst.createIndex({ k: 1 }, { unique: true, name: "k_unique" });
    await src.aggregate([{ $out: "odst" }]).toArray();
    expect(await dst.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, k: 1 },
      { _id: 2, k: 2 },
    ]);
    expect((await dst.indexes()).map((i) => i.name)).toContain("k_unique");
    await src.aggregate([{ $out: { db: t.db.databaseName, coll: "odst2" } }]).toArray();
    expect(await t.db.collection("odst2").countDocuments()).toBe(2);
  });
});

describe("client-level bulkWrite (8.0)", () => {
  it("writes to several collections in one command, with verbose results", async () => {
    const a = `${t.db.databaseName}.bwa`;
    const b = `${t.db.databaseName}.bwb`;
    await t.db.collection("bwb").insertMany([
      { _id: 1, x: 1 },
      { _id: 2, x: 2 },
    ] as never[]);
    const result = await t.client.bulkWrite<Record<string, { _id: number; [k: string]: unknown }>>(
      [
        { namespace: a, name: "insertOne", document: { _id: 1, v: "one" } },
        { namespace: a, name: "insertOne", document: { _id: 2, v: "two" } },
        { namespace: b, name: "updateOne", filter: { _id: 1 }, update: { $set: { x: 10 } } },
        { namespace: b, name: "updateMany", filter: {}, update: { $inc: { y: 1 } as never } },
        { namespace: b, name: "replaceOne", filter: { _id: 3 }, replacement: { x: 3 }, upsert: true },
        { namespace: a, name: "deleteOne", filter: { _id: 2 } },
      ],
      { verboseResults: true },
    );
    expect(result).toMatchObject({
      insertedCount: 2,
      matchedCount: 3,
      modifiedCount: 3,
      upsertedCount: 1,
      deletedCount: 1,
    });
    expect(result.updateResults?.get(4)).toMatchObject({ upsertedId: 3, didUpsert: true });
    expect(await t.db.collection("bwa").find().toArray()).toEqual([{ _id: 1, v: "one" }]);
    expect(await t.db.collection("bwb").find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, x: 10, y: 1 },
      { _id: 2, x: 2, y: 1 },
      { _id: 3, x: 3 },
    ]);
  });

  it("reports a duplicate key per operation and stops there when ordered", async () => {
    const ns = `${t.db.databaseName}.bwdup`;
    const error = await t.client
      .bulkWrite<Record<string, { _id: number }>>([
        { namespace: ns, name: "insertOne", document: { _id: 1 } },
        { namespace: ns, name: "insertOne", document: { _id: 1 } },
        { namespace: ns, name: "insertOne", document: { _id: 2 } },
      ])
      .then(
        () => undefined,
        (e: unknown) =>
          e as { writeErrors?: Map<number, { code: number }>; partialResult?: { insertedCount: number } },
      );
    expect(error?.writeErrors?.get(1)?.code).toBe(11000);
    expect(error?.partialResult?.insertedCount).toBe(1);
    expect(await t.db.collection("bwdup").countDocuments()).toBe(1);
  });
});
