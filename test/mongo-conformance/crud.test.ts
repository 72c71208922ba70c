import { Long, MongoBulkWriteError, MongoServerError, ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTarget, type Target } from "./harness.js";

let t: Target;
beforeAll(async () => {
  t = await openTarget("crud");
});
afterAll(async () => {
  await t?.close();
});

describe("insert and find", () => {
  it("assigns an ObjectId _id and stores _id first", async () => {
    const c = t.db.collection("ins");
    const r = await c.insertOne({ a: 1, b: "x" });
    expect(r.insertedId).toBeInstanceOf(ObjectId);
    const raw = await t.db.collection("ins").find({}, { raw: false }).toArray();
    expect(Object.keys(raw[0])).toEqual(["_id", "a", "b"]);
    await c.insertOne({ b: 2, _id: 7 } as never);
    const seven = await c.findOne({ _id: 7 } as never);
    expect(Object.keys(seven ?? {})).toEqual(["_id", "b"]);
  });

  it("filters, sorts, projects, skips and limits", async () => {
    const c = t.db.collection("people");
    await c.insertMany([
      { _id: 1, name: "ann", age: 31, tags: ["a", "b"] },
      { _id: 2, name: "bob", age: 25, tags: ["b"] },
      { _id: 3, name: "cid", age: 40, tags: [] },
      { _id: 4, name: "dan", age: 25 },
    ] as never[]);
    const names = await c
      .find({ age: { $gte: 25 } })
      .sort({ age: 1, name: -1 })
      .project({ _id: 0, name: 1 })
      .toArray();
    expect(names).toEqual([{ name: "dan" }, { name: "bob" }, { name: "ann" }, { name: "cid" }]);
    const page = await c.find({}).sort({ _id: 1 }).skip(1).limit(2).toArray();
    expect(page.map((d) => d._id)).toEqual([2, 3]);
    expect(await c.countDocuments({ tags: "b" })).toBe(2);
    expect(await c.find({ name: /^[ab]/ }).toArray()).toHaveLength(2);
    const projected = await c.findOne({ _id: 1 } as never, { projection: { name: 1 } });
    expect(projected).toEqual({ _id: 1, name: "ann" });
  });

  it("compares dates and ObjectIds", async () => {
    const c = t.db.collection("dates");
    const ids = [new ObjectId(), new ObjectId()];
    await c.insertMany([
      { _id: ids[0], at: new Date("2024-01-01T00:00:00Z") },
      { _id: ids[1], at: new Date("2024-02-01T00:00:00Z") },
    ]);
    const later = await c.find({ at: { $gt: new Date("2024-01-15T00:00:00Z") } }).toArray();
    expect(later.map((d) => d._id.toHexString())).toEqual([ids[1].toHexString()]);
    expect(later[0].at).toBeInstanceOf(Date);
    const byId = await c.findOne({ _id: new ObjectId(ids[0].toHexString()) });
    expect(byId?.at).toEqual(new Date("2024-01-01T00:00:00Z"));
  });

  it("returns the first batch of 101 and fetches the rest with getMore", async () => {
    const c = t.db.collection("many");
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const cursor = c.find({}).sort({ i: 1 });
    let first = 0;
    for await (const _doc of cursor) {
      first++;
      if (first === 1) expect(cursor.bufferedCount()).toBe(100);
    }
    expect(first).toBe(250);
    const reply = await t.db.command({ find: "many", filter: {}, batchSize: 10 }, { promoteLongs: false });
    expect(reply.cursor.firstBatch).toHaveLength(10);
    // Cursor ids travel as int64, whatever their magnitude.
    expect(reply.cursor.id).toBeInstanceOf(Long);
    expect(reply.cursor.ns).toBe(`${t.db.databaseName}.many`);
    const more = await t.db.command({ getMore: reply.cursor.id, collection: "many", batchSize: 5 });
    expect(more.cursor.nextBatch).toHaveLength(5);
    const killed = await t.db.command({ killCursors: "many", cursors: [reply.cursor.id] });
    expect(killed.cursorsKilled).toHaveLength(1);
    await expect(t.db.command({ getMore: reply.cursor.id, collection: "many" })).rejects.toMatchObject({
      code: 43,
    });
    const all = await t.db.command({ find: "many", filter: {} });
    expect(all.cursor.firstBatch).toHaveLength(101);
    const small = await t.db.command({ find: "many", filter: { i: { $lt: 3 } } });
    expect(Number(small.cursor.id)).toBe(0);
  });
});

describe("update", () => {
  it("applies operators, multi and replacement", async () => {
    const c = t.db.collection("upd");
    await c.insertMany([
      { _id: 1, n: 1, s: "a" },
      { _id: 2, n: 2, s: "a" },
    ] as never[]);
    const one = await c.updateOne({ s: "a" }, { $inc: { n: 10 } });
    expect(one).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    const many = await c.updateMany({ s: "a" }, { $set: { t: true } });
    expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    const noop = await c.updateMany({ s: "a" }, { $set: { t: true } });
    expect(noop).toMatchObject({ matchedCount: 2, modifiedCount: 0 });
    await c.replaceOne({ _id: 2 } as never, { r: 1 });
    expect(await c.findOne({ _id: 2 } as never)).toEqual({ _id: 2, r: 1 });
    await c.updateOne({ _id: 1 } as never, { $push: { list: 5 }, $unset: { s: "" } } as never);
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, n: 11, t: true, list: [5] });
  });

  it("upserts with $setOnInsert only on insert", async () => {
    const c = t.db.collection("ups");
    const first = await c.updateOne(
      { key: "k" },
      { $set: { v: 1 }, $setOnInsert: { created: "once" } },
      { upsert: true },
    );
    expect(first.upsertedCount).toBe(1);
    expect(first.upsertedId).toBeInstanceOf(ObjectId);
    await c.updateOne({ key: "k" }, { $set: { v: 2 }, $setOnInsert: { created: "twice" } }, { upsert: true });
    const doc = await c.findOne({ key: "k" }, { projection: { _id: 0 } });
    expect(doc).toEqual({ key: "k", v: 2, created: "once" });
    const withId = await c.updateOne({ _id: "x" } as never, { $set: { v: 3 } }, { upsert: true });
    expect(withId.upsertedId).toBe("x");
  });

  it("refuses to change _id", async () => {
    const c = t.db.collection("immut");
    await c.insertOne({ _id: 1 } as never);
    await expect(c.updateOne({ _id: 1 } as never, { $set: { _id: 2 } })).rejects.toMatchObject({ code: 66 });
  });
});

describe("delete and findAndModify", () => {
  it("deletes one or many", async () => {
    const c = t.db.collection("del");
    await c.insertMany([{ g: 1 }, { g: 1 }, { g: 2 }]);
    expect((await c.deleteOne({ g: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({})).deletedCount).toBe(2);
  });

  it("returns the document before or after, upserts and removes", async () => {
    const c = t.db.collection("fam");
    await c.insertOne({ _id: 1, n: 1 } as never);
    const before = await c.findOneAndUpdate({ _id: 1 } as never, { $inc: { n: 1 } });
    expect(before).toEqual({ _id: 1, n: 1 });
    const after = await c.findOneAndUpdate(
      { _id: 1 } as never,
      { $inc: { n: 1 } },
      { returnDocument: "after" },
    );
    expect(after).toEqual({ _id: 1, n: 3 });
    const created = await c.findOneAndUpdate(
      { _id: 2 } as never,
      { $set: { n: 0 } },
      { upsert: true, returnDocument: "after", includeResultMetadata: true },
    );
    expect(created.value).toEqual({ _id: 2, n: 0 });
    expect(created.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false, upserted: 2 });
    const missing = await c.findOneAndUpdate({ _id: 99 } as never, { $set: { n: 0 } });
    expect(missing).toBeNull();
    const removed = await c.findOneAndDelete({ _id: 1 } as never);
    expect(removed).toEqual({ _id: 1, n: 3 });
    expect(await c.countDocuments()).toBe(1);
  });
});

describe("duplicate keys and bulk writes", () => {
  it("reports 11000 for a duplicate _id in the driver's error shape", async () => {
    const c = t.db.collection("dup");
    await c.insertOne({ _id: 1 } as never);
    const error = await c.insertOne({ _id: 1 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 1 } });
    expect(String((error as Error).message)).toContain("E11000 duplicate key error");
  });

  it("stops an ordered bulk write at the first error", async () => {
    const c = t.db.collection("bulk_ordered");
    const error = await c
      .insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }] as never[], { ordered: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const bulk = error as MongoBulkWriteError;
    expect(bulk.code).toBe(11000);
    expect(bulk.insertedCount).toBe(1);
    expect(bulk.writeErrors).toHaveLength(1);
    expect([bulk.writeErrors].flat()[0].index).toBe(1);
    expect(await c.countDocuments()).toBe(1);
  });

  it("continues an unordered bulk write past errors", async () => {
    const c = t.db.collection("bulk_unordered");
    const error = (await c
      .insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }] as never[], { ordered: false })
      .catch((e: unknown) => e)) as MongoBulkWriteError;
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect(error.insertedCount).toBe(3);
    expect([error.writeErrors].flat().map((e) => e.index)).toEqual([1, 3]);
    expect(await c.countDocuments()).toBe(3);
  });

  it("reports mixed bulkWrite results", async () => {
    const c = t.db.collection<{ _id: number; v?: number }>("bulk_mixed");
    const r = await c.bulkWrite([
      { insertOne: { document: { _id: 1, v: 1 } } },
      { updateOne: { filter: { _id: 1 }, update: { $set: { v: 2 } } } },
      { updateOne: { filter: { _id: 2 }, update: { $set: { v: 3 } }, upsert: true } },
      { deleteOne: { filter: { _id: 1 } } },
    ]);
    expect(r.insertedCount).toBe(1);
    expect(r.matchedCount).toBe(1);
    expect(r.modifiedCount).toBe(1);
    expect(r.upsertedCount).toBe(1);
    expect(r.deletedCount).toBe(1);
  });
});
