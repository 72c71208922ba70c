/**
 * Collation, as MongoDB's documentation describes it: `strength` 1 ignores case and accents, 2 ignores
 * case, `numericOrdering` compares digit runs as numbers; applied in find, count, distinct, aggregate,
 * update, delete and findAndModify, as a collection default and in (unique) indexes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTarget, type Target } from "./harness.js";

interface Item {
  _id: number;
  name: string;
  n?: number;
}

const primary = { locale: "fr", strength: 1 } as const;
const secondary = { locale: "en", strength: 2 } as const;

let t: Target;
beforeAll(async () => {
  t = await openTarget("collation");
  await t.db.collection<Item>("words").insertMany([
    { _id: 1, name: "cafe" },
    { _id: 2, name: "Café" },
    { _id: 3, name: "CAFE" },
    { _id: 4, name: "other" },
  ]);
});
afterAll(async () => {
  await t?.close();
});

describe("collation", () => {
  const words = () => t.db.collection<Item>("words");

  it("matches by strength in find, count and aggregate", async () => {
    const ids = async (collation: { locale: string; strength?: number }) =>
      (
        await words()
          .find({ name: "cafe" }, { collation, sort: { _id: 1 } })
          .toArray()
      ).map((d) => d._id);
    expect(await ids(primary)).toEqual([1, 2, 3]);
    expect(await ids(secondary)).toEqual([1, 3]);
    expect(await ids({ locale: "simple" })).toEqual([1]);
    expect(await words().countDocuments({ name: { $in: ["CAFÉ"] } }, { collation: primary })).toBe(3);
    expect(await words().countDocuments({ name: { $ne: "cafe" } }, { collation: secondary })).toBe(2);
    const agg = await words()
      .aggregate([{ $match: { name: "CaFe" } }, { $count: "n" }], { collation: secondary })
      .toArray();
    expect(agg).toEqual([{ n: 2 }]);
  });

  it("sorts by the collation, numericOrdering included", async () => {
    const c = t.db.collection<Item>("numeric");
    await c.insertMany([
      { _id: 1, name: "10" },
      { _id: 2, name: "9" },
      { _id: 3, name: "2" },
    ]);
    const sorted = await c
      .find({}, { sort: { name: 1 }, collation: { locale: "en", numericOrdering: true } })
      .toArray();
    expect(sorted.map((d) => d.name)).toEqual(["2", "9", "10"]);
    expect((await c.find({}, { sort: { name: 1 } }).toArray()).map((d) => d.name)).toEqual(["10", "2", "9"]);
    expect(
      await c.countDocuments({ name: { $gt: "5" } }, { collation: { locale: "en", numericOrdering: true } }),
    ).toBe(2);
  });

  it("collapses equal strings in distinct", async () => {
    const values = await words().distinct("name", {}, { collation: primary });
    expect(values).toHaveLength(2);
  });

  it("applies to updates, deletes and findAndModify", async () => {
    const c = t.db.collection<Item>("writes");
    await c.insertMany([
      { _id: 1, name: "a" },
      { _id: 2, name: "A" },
      { _id: 3, name: "b" },
    ]);
    const updated = await c.updateMany({ name: "a" }, { $set: { n: 1 } }, { collation: secondary });
    expect(updated.modifiedCount).toBe(2);
    const found = await c.findOneAndUpdate(
      { name: "B" },
      { $set: { n: 2 } },
      { collation: secondary, returnDocument: "after" },
    );
    expect(found).toEqual({ _id: 3, name: "b", n: 2 });
    const deleted = await c.deleteMany({ name: "A" }, { collation: secondary });
    expect(deleted.deletedCount).toBe(2);
    expect(await c.countDocuments()).toBe(1);
  });

  it("uses the collection's default collation", async () => {
    await t.db.createCollection("ci", { collation: secondary });
    const c = t.db.collection<Item>("ci");
    await c.insertMany([
      { _id: 1, name: "x" },
      { _id: 2, name: "X" },
    ]);
    expect(await c.countDocuments({ name: "x" })).toBe(2);
    expect(await c.countDocuments({ name: "x" }, { collation: { locale: "simple" } })).toBe(1);
    const [info] = await t.db.listCollections({ name: "ci" }).toArray();
    expect(info).toMatchObject({ options: { collation: { locale: "en", strength: 2 } } });
  });

  it("enforces a unique index under its collation", async () => {
    const c = t.db.collection<Item>("uniq");
    await c.createIndex({ name: 1 }, { unique: true, collation: secondary });
    await c.insertOne({ _id: 1, name: "user" });
    await expect(c.insertOne({ _id: 2, name: "USER" })).rejects.toMatchObject({ code: 11000 });
    await c.insertOne({ _id: 3, name: "other" });
    const [, index] = await c.indexes();
    expect(index).toMatchObject({ collation: { locale: "en", strength: 2 } });
  });

  it("refuses an invalid collation", async () => {
    await expect(
      words()
        .find({}, { collation: { locale: "en", strength: 9 } })
        .toArray(),
    ).rejects.toThrow();
    await expect(
      words()
        .find({}, { collation: {} as never })
        .toArray(),
    ).rejects.toThrow();
  });
});
