import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CollectionStore, idKey, sortedPlan } from "../../framework/mongo-server/collection-store.js";
import { StorageEngine } from "../../framework/mongo-server/storage-engine.js";
import { usesRealMongo } from "../support/services.js";
import { openTarget, type Target } from "./harness.js";

const external = usesRealMongo;
let t: Target;
beforeAll(async () => {
  t = await openTarget("indexes");
});
afterAll(async () => {
  await t?.close();
});

interface Row {
  _id: number;
  a: number;
  b: string;
  at: Date;
}

describe("index management", () => {
  it("creates, lists and drops indexes", async () => {
    const c = t.db.collection("ix");
    await c.insertOne({ a: 1, b: 1 });
    expect(await c.createIndex({ a: 1, b: -1 })).toBe("a_1_b_-1");
    expect(await c.createIndex({ a: 1, b: -1 })).toBe("a_1_b_-1");
    expect(await c.createIndex({ b: 1 }, { unique: true, name: "b_unique" })).toBe("b_unique");
    const indexes = await c.indexes();
    expect(indexes.map((i) => i.name)).toEqual(["_id_", "a_1_b_-1", "b_unique"]);
    expect(indexes[0].key).toEqual({ _id: 1 });
    expect(indexes[2]).toMatchObject({ key: { b: 1 }, unique: true });
    await expect(c.createIndex({ c: 1 }, { name: "b_unique" })).rejects.toMatchObject({ code: 86 });
    await c.dropIndex("a_1_b_-1");
    await expect(c.dropIndex("a_1_b_-1")).rejects.toMatchObject({ code: 27 });
    await expect(c.dropIndex("_id_")).rejects.toMatchObject({ code: 72 });
    expect((await c.indexes()).map((i) => i.name)).toEqual(["_id_", "b_unique"]);
    await c.dropIndexes();
    expect((await c.indexes()).map((i) => i.name)).toEqual(["_id_"]);
  });

  it("fails listIndexes on a missing collection with NamespaceNotFound", async () => {
    await expect(t.db.collection("nope").indexes()).rejects.toMatchObject({ code: 26 });
  });

  it("refuses a unique index over duplicates and enforces compound uniqueness", async () => {
    const c = t.db.collection("uq");
    await c.insertMany([
      { a: 1, b: 1 },
      { a: 1, b: 2 },
    ]);
    await expect(c.createIndex({ a: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    await c.createIndex({ a: 1, b: 1 }, { unique: true });
    const error = await c.insertOne({ a: 1, b: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 11000, keyPattern: { a: 1, b: 1 }, keyValue: { a: 1, b: 2 } });
    await c.insertOne({ a: 2, b: 2 });
    const upd = await c.updateOne({ a: 2 }, { $set: { a: 1 } }).catch((e: unknown) => e);
    expect(upd).toMatchObject({ code: 11000 });
    // A unique index treats a missing field as null: only one document may lack it.
    const lone = t.db.collection("uq_missing");
    await lone.createIndex({ u: 1 }, { unique: true });
    await lone.insertOne({ x: 1 });
    await expect(lone.insertOne({ x: 2 })).rejects.toMatchObject({ code: 11000, keyValue: { u: null } });
  });
});

describe("queries through indexes", () => {
  const rows: Row[] = Array.from({ length: 2000 }, (_, i) => ({
    _id: i,
    a: (i * 7919) % 1000,
    b: `k${i % 13}`,
    at: new Date(Date.UTC(2024, 0, 1) + ((i * 104729) % 5000) * 3_600_000),
  }));

  beforeAll(async () => {
    const c = t.db.collection<Row>("q");
    await c.createIndex({ a: 1 });
    await c.createIndex({ b: 1, at: 1 });
    await c.insertMany(rows);
  });

  const ids = (docs: { _id: number }[]) => docs.map((d) => d._id).sort((x, y) => x - y);

  it("answers ranges, $in and compound prefixes like a full scan would", async () => {
    const c = t.db.collection<Row>("q");
    expect(ids(await c.find({ a: { $gte: 100, $lt: 120 } }).toArray())).toEqual(
      ids(rows.filter((r) => r.a >= 100 && r.a < 120)),
    );
    expect(ids(await c.find({ a: { $in: [5, 6, 700] } }).toArray())).toEqual(
      ids(rows.filter((r) => [5, 6, 700].includes(r.a))),
    );
    const from = new Date("2024-03-01T00:00:00Z");
    const to = new Date("2024-04-01T00:00:00Z");
    expect(ids(await c.find({ b: "k3", at: { $gte: from, $lt: to } }).toArray())).toEqual(
      ids(rows.filter((r) => r.b === "k3" && r.at >= from && r.at < to)),
    );
    expect(ids(await c.find({ b: "k3" }).toArray())).toEqual(ids(rows.filter((r) => r.b === "k3")));
    expect(ids(await c.find({ $and: [{ a: { $gt: 990 } }, { b: "k1" }] }).toArray())).toEqual(
      ids(rows.filter((r) => r.a > 990 && r.b === "k1")),
    );
    const sorted = await c
      .find({ a: { $lte: 3 } })
      .sort({ a: -1, _id: 1 })
      .toArray();
    expect(sorted.map((r) => r._id)).toEqual(
      rows
        .filter((r) => r.a <= 3)
        .sort((x, y) => y.a - x.a || x._id - y._id)
        .map((r) => r._id),
    );
  });

  it("answers $match then $sort on indexed fields in sort order, as find with sort does", async () => {
    const c = t.db.collection("sorted");
    await c.createIndex({ at: 1 });
    await c.createIndex({ b: 1, at: 1 });
    // Unique `at` values (no ties, whose order MongoDB leaves open), one document without `at`, one
    // with a string there: BSON order puts missing (as null) first, then strings, then dates.
    const docs: Record<string, unknown>[] = rows.slice(0, 500).map((r) => ({
      _id: r._id,
      b: r.b,
      at: new Date(Date.UTC(2024, 0, 1) + ((r._id * 7919) % 500) * 60_000),
    }));
    docs.push({ _id: 9001, b: "k3" }, { _id: 9002, b: "k3", at: "soon" });
    await c.insertMany(docs);
    const time = (d: Record<string, unknown>) => (d.at instanceof Date ? d.at.getTime() : 0);
    const from = new Date(Date.UTC(2024, 0, 1) + 100 * 60_000);
    const inRange = docs.filter((d) => d.at instanceof Date && time(d) >= from.getTime());
    const up = inRange.sort((x, y) => time(x) - time(y)).map((d) => d._id);
    const got = async (pipeline: object[]) => (await c.aggregate(pipeline).toArray()).map((d) => d._id);
    expect(await got([{ $match: { at: { $gte: from } } }, { $sort: { at: 1 } }])).toEqual(up);
    expect(await got([{ $match: { at: { $gte: from } } }, { $sort: { at: -1 } }, { $limit: 5 }])).toEqual(
      [...up].reverse().slice(0, 5),
    );
    const k3 = docs.filter((d) => d.b === "k3" && d.at instanceof Date).sort((x, y) => time(x) - time(y));
    const k3Ids = [9001, 9002, ...k3.map((d) => d._id)];
    expect(await got([{ $match: { b: "k3" } }, { $sort: { at: 1 } }])).toEqual(k3Ids);
    expect(await got([{ $match: { b: "k3", _id: { $ne: 9002 } } }, { $sort: { at: -1 } }])).toEqual(
      k3Ids.filter((id) => id !== 9002).reverse(),
    );
    expect((await c.find({ b: "k3" }).sort({ at: -1 }).toArray()).map((d) => d._id)).toEqual(
      [...k3Ids].reverse(),
    );
    expect(await got([{ $sort: { at: 1 } }, { $limit: 2 }])).toEqual([9001, 9002]);
  });

  it("keeps index results right after updates and deletes", async () => {
    // Its own copy: the other test of this block reads "q" unchanged, in whatever order they run.
    const c = t.db.collection<Row>("q_changed");
    await c.createIndex({ a: 1 });
    await c.createIndex({ b: 1, at: 1 });
    await c.insertMany(rows.map((r) => ({ ...r })));
    await c.updateMany({ a: { $lt: 10 } }, { $set: { a: 5000 } });
    await c.deleteMany({ a: { $gte: 990, $lt: 1000 } });
    const moved = rows.filter((r) => r.a < 10).length;
    expect(await c.countDocuments({ a: 5000 })).toBe(moved);
    expect(await c.countDocuments({ a: { $lt: 10 } })).toBe(0);
    expect(await c.countDocuments({ a: { $gte: 990, $lt: 1000 } })).toBe(0);
    expect(await c.countDocuments({})).toBe(2000 - rows.filter((r) => r.a >= 990).length);
  });
});

describe("index entries of changed documents", () => {
  it("follow replacements and deletes in unique, multikey and partial indexes", async () => {
    const c = t.db.collection<{ _id: number; u?: number; tags?: unknown; p?: number }>("moving_keys");
    await c.createIndex({ u: 1 }, { unique: true, sparse: true });
    await c.createIndex({ tags: 1 });
    await c.createIndex({ p: 1 }, { unique: true, partialFilterExpression: { p: { $gt: 5 } } });
    await c.insertOne({ _id: 1, u: 1, tags: ["x", "y"], p: 10 });
    // The key moves: the old one is free again, the new one taken.
    await c.replaceOne({ _id: 1 }, { u: 2, tags: "z", p: 3 });
    await c.insertOne({ _id: 2, u: 1, p: 10 });
    await expect(c.insertOne({ _id: 3, u: 2 })).rejects.toMatchObject({ code: 11000 });
    expect((await c.find({ tags: "x" }).toArray()).map((d) => d._id)).toEqual([]);
    expect((await c.find({ tags: "z" }).toArray()).map((d) => d._id)).toEqual([1]);
    // p: 3 left the partial index; a second 3 is allowed, a second 10 is not.
    await c.insertOne({ _id: 4, p: 3 });
    await expect(c.insertOne({ _id: 5, p: 10 })).rejects.toMatchObject({ code: 11000 });
    // An update that keeps the key, then a delete: nothing of the document stays in any index.
    await c.updateOne({ _id: 1 }, { $set: { other: true } });
    await c.deleteOne({ _id: 1 });
    await c.insertOne({ _id: 6, u: 2, tags: ["z"] });
    expect((await c.find({ tags: "z" }).toArray()).map((d) => d._id)).toEqual([6]);
    expect(
      (
        await c
          .find({ u: { $gte: 0 } })
          .sort({ u: 1 })
          .toArray()
      ).map((d) => d._id),
    ).toEqual([2, 6]);
    expect(await c.countDocuments({ p: { $gt: 0 } })).toBe(2);
  });
});

describe("index entries of a bulk insert", () => {
  it("answer ranges, sorts and deletes right for ties, wide spans and fractions", async () => {
    const c = t.db.collection<{ _id: number; v: number; at: Date }>("bulk_keys");
    await c.createIndex({ v: 1 });
    await c.createIndex({ at: 1 });
    // Many equal values (ties), a span too wide to pack with the batch size, and fractions.
    const docs = Array.from({ length: 3_000 }, (_, i) => ({
      _id: (i * 7_919) % 3_001,
      v: i % 3 === 0 ? i % 17 : i % 3 === 1 ? (i % 5) * 1e15 : (i % 11) / 4,
      at: new Date(Date.UTC(2024, 0, 1) + (i % 40) * 86_400_000),
    }));
    await c.insertMany(docs.map((d) => ({ ...d })));
    // Deleting finds each entry in the tree by (key, id): a batch loaded out of order would miss some.
    await c.deleteMany({ _id: { $mod: [4, 0] } });
    const left = docs.filter((d) => d._id % 4 !== 0);
    const idsOf = (rows: { _id: number }[]) => rows.map((r) => r._id).sort((x, y) => x - y);
    expect(idsOf(await c.find({ v: { $gte: 3, $lte: 9 } }).toArray())).toEqual(
      idsOf(left.filter((d) => d.v >= 3 && d.v <= 9)),
    );
    expect(idsOf(await c.find({ v: { $gt: 1e15 } }).toArray())).toEqual(
      idsOf(left.filter((d) => d.v > 1e15)),
    );
    expect(idsOf(await c.find({ v: 0.75 }).toArray())).toEqual(idsOf(left.filter((d) => d.v === 0.75)));
    const day = new Date(Date.UTC(2024, 0, 8));
    expect(idsOf(await c.find({ at: day }).toArray())).toEqual(
      idsOf(left.filter((d) => d.at.getTime() === day.getTime())),
    );
    const byAt = await c.find({}).sort({ at: 1 }).toArray();
    expect(byAt).toHaveLength(left.length);
    expect(byAt.every((d, i) => i === 0 || d.at >= (byAt[i - 1] as { at: Date }).at)).toBe(true);
  });
});

describe("index entries of batches that grow at one place", () => {
  it("answer ranges, sorts and deletes right when each batch falls between the same two entries", async () => {
    const c = t.db.collection<{ _id: number; key: string; at: Date }>("growing_keys");
    await c.createIndex({ key: 1, at: 1 });
    // A high key already there (as job ids sort after request ids in sys.log), then time-ordered batches
    // that all land just below it, each batch after the previous one.
    await c.insertOne({ _id: 0, key: "z-high", at: new Date(0) });
    const docs: { _id: number; key: string; at: Date }[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const rows = Array.from({ length: 400 }, (_, i) => {
        const n = batch * 400 + i;
        return { _id: n + 1, key: `k${String(n).padStart(6, "0")}`, at: new Date(Date.UTC(2026, 0, 1) + n) };
      });
      docs.push(...rows);
      await c.insertMany(rows.map((r) => ({ ...r })));
    }
    await c.deleteMany({ _id: { $mod: [3, 1] } });
    const left = docs.filter((d) => d._id % 3 !== 1);
    const keys = (await c.find({ key: { $gte: "k000100", $lt: "k002000" } }).toArray()).map((d) => d.key);
    expect(keys).toEqual(left.filter((d) => d.key >= "k000100" && d.key < "k002000").map((d) => d.key));
    const sorted = await c.find({}).sort({ key: -1, at: -1 }).toArray();
    expect(sorted.map((d) => d._id)).toEqual([0, ...left.map((d) => d._id).reverse()]);
  });
});

describe.skipIf(external)("embedded index planner", () => {
  it("looks up _id directly and ranges and prefixes without scanning", () => {
    const storage = new StorageEngine();
    const store = storage.create("db", "c", {});
    for (let i = 0; i < 10_000; i++) storage.insert(store, { _id: i, v: i % 1000, g: `g${i % 10}`, n: i });
    storage.createIndex(store, { v: 2, key: { v: 1 }, name: "v_1" });
    storage.createIndex(store, { v: 2, key: { g: 1, n: 1 }, name: "g_1_n_1" });
    expect(store).toBeInstanceOf(CollectionStore);
    expect(store.candidates({ _id: 42 })).toHaveLength(1);
    expect(store.candidates({ _id: { $in: [1, 2, 99_999] } })).toHaveLength(2);
    expect(store.candidates({ v: 7 })).toHaveLength(10);
    expect(store.candidates({ v: { $gte: 10, $lt: 12 } })).toHaveLength(20);
    expect(store.candidates({ g: "g3", n: { $lt: 100 } })).toHaveLength(10);
    expect(store.candidates({ g: "g3" })).toHaveLength(1000);
    expect(store.candidates({ n: 5 })).toBeUndefined(); // n is not a prefix of any index
  });

  it("reads along an index for a sort it gives, and only then", () => {
    const storage = new StorageEngine();
    const store = storage.create("db", "s", {});
    for (let i = 0; i < 1000; i++) storage.insert(store, { _id: i, g: `g${i % 10}`, n: (i * 7) % 1000 });
    storage.createIndex(store, { v: 2, key: { g: 1, n: 1 }, name: "g_1_n_1" });
    const plan = sortedPlan(store, { g: "g3", n: { $lt: 500 } }, { n: -1 });
    const ns = plan?.docs.map((d) => d.n as number) ?? [];
    expect(plan?.exact).toBe(true);
    expect(ns).toHaveLength(50);
    expect(ns).toEqual([...ns].sort((x, y) => y - x));
    expect(sortedPlan(store, { g: { $in: ["g1", "g2"] } }, { n: 1 })).toBeUndefined(); // two runs of n
    expect(sortedPlan(store, {}, { g: 1, n: -1 })).toBeUndefined(); // mixed directions
    expect(sortedPlan(store, { g: "g1", x: 1 }, { n: 1 })?.exact).toBe(false);
    expect(sortedPlan(store, undefined, { g: 1 })?.docs).toHaveLength(1000);
  });

  it("drops the entry of a document changed in place behind the store's back", () => {
    const storage = new StorageEngine();
    const store = storage.create("db", "inplace", {});
    storage.createIndex(store, { v: 2, key: { v: 1 }, name: "v_1" });
    for (let i = 0; i < 100; i++) storage.insert(store, { _id: i, v: i % 10 });
    // Stored documents are never changed in place; if one were, its old entry is still found and removed.
    const doc = store.docs.get(idKey(7)) as { v: number };
    doc.v = 99;
    storage.delete(store, doc);
    expect(store.candidates({ v: 7 })?.map((d) => d._id)).toEqual([17, 27, 37, 47, 57, 67, 77, 87, 97]);
    expect(store.indexes.get("v_1")?.size).toBe(99);
  });

  it("expires documents through a TTL index", () => {
    const storage = new StorageEngine();
    const store = storage.create("db", "ttl", {});
    storage.createIndex(store, { v: 2, key: { at: 1 }, name: "at_1", expireAfterSeconds: 60 });
    const now = Date.UTC(2024, 0, 1, 12);
    storage.insert(store, { _id: 1, at: new Date(now - 61_000) });
    storage.insert(store, { _id: 2, at: new Date(now - 10_000) });
    storage.insert(store, { _id: 3, at: "not a date" });
    expect(storage.expire(now)).toBe(1);
    expect([...store.docs.values()].map((d) => d._id)).toEqual([2, 3]);
  });
});
