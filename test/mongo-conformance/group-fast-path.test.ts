/**
 * Leading $group stages with simple keys and accumulators are answered natively by the embedded server.
 * Each case runs the same pipeline twice: as is, and behind a `{$skip: 0}` that keeps it on the general
 * path; both answers must be equal and equal to what MongoDB's documentation says.
 */
// The embedded server's own BSON classes (the driver's CommonJS copy is another module instance).
import { Decimal128 as ServerDecimal128, Long as ServerLong } from "bson";
import { type Document, Int32, Long, ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLeadingGroups } from "../../framework/mongo-server/group-fast-path.js";
import { usesRealMongo } from "../support/services.js";
import { openTarget, type Target } from "./harness.js";

type Row = { _id: number; [field: string]: unknown };

let t: Target;
beforeAll(async () => {
  t = await openTarget("groupfast");
  await t.db.collection("logins").createIndex({ at: 1 });
  await t.db.collection<Row>("logins").insertMany([
    { _id: 1, user: "ann", at: new Date("2024-01-01T08:00:00Z"), n: 3, tag: { k: "a" } }, // Monday
    { _id: 2, user: "ann", at: new Date("2024-01-02T09:00:00Z"), n: 5, tag: { k: "b" } },
    { _id: 3, user: "bob", at: new Date("2024-01-07T23:59:59Z"), n: -2, tag: { k: "a" } }, // Sunday
    { _id: 4, user: "bob", at: new Date("2024-01-08T00:00:00Z"), n: 10, tag: { k: "a" } }, // Monday
    { _id: 5, user: "cid", at: new Date("2024-01-09T12:00:00Z"), n: 7, tag: { k: "c" } },
  ]);
  await t.db.collection<Row>("odd").insertMany([
    { _id: 1, user: "ann", n: 1.5, at: new Date("2024-01-01T00:00:00Z") },
    { _id: 2, n: [1, 2], at: "not a date" },
    { _id: 3, user: ["x", "y"], n: null },
  ]);
});
afterAll(async () => {
  await t?.close();
});

async function both(coll: string, pipeline: Document[]): Promise<Document[]> {
  const fast = await t.db.collection(coll).aggregate(pipeline).toArray();
  const general = await t.db
    .collection(coll)
    .aggregate([{ $skip: 0 }, ...pipeline])
    .toArray();
  expect(fast).toEqual(general);
  return fast;
}

describe("$group fast path", () => {
  it("counts distinct users per week (Monday and Sunday weeks) like the general path", async () => {
    const perWeek = (startOfWeek: string) => [
      {
        $group: {
          _id: { w: { $dateTrunc: { date: "$at", unit: "week", timezone: "UTC", startOfWeek } }, u: "$user" },
          logins: { $sum: 1 },
        },
      },
      { $group: { _id: "$_id.w", users: { $sum: 1 }, logins: { $sum: "$logins" } } },
      { $sort: { _id: 1 } },
    ];
    expect(await both("logins", perWeek("monday"))).toEqual([
      { _id: new Date("2024-01-01T00:00:00Z"), users: 2, logins: 3 },
      { _id: new Date("2024-01-08T00:00:00Z"), users: 2, logins: 2 },
    ]);
    expect(await both("logins", perWeek("sun"))).toEqual([
      { _id: new Date("2023-12-31T00:00:00Z"), users: 1, logins: 2 },
      { _id: new Date("2024-01-07T00:00:00Z"), users: 2, logins: 3 },
    ]);
  });

  it("answers $sum, $count, $first, $last, $min and $max per group like the general path", async () => {
    const rows = await both("logins", [
      {
        $group: {
          _id: "$user",
          total: { $sum: "$n" },
          count: { $count: {} },
          first: { $first: "$at" },
          last: { $last: "$n" },
          min: { $min: "$n" },
          max: { $max: "$at" },
        },
      },
      { $sort: { _id: 1 } },
    ]);
    expect(rows).toEqual([
      {
        _id: "ann",
        total: 8,
        count: 2,
        first: new Date("2024-01-01T08:00:00Z"),
        last: 5,
        min: 3,
        max: new Date("2024-01-02T09:00:00Z"),
      },
      {
        _id: "bob",
        total: 8,
        count: 2,
        first: new Date("2024-01-07T23:59:59Z"),
        last: 10,
        min: -2,
        max: new Date("2024-01-08T00:00:00Z"),
      },
      {
        _id: "cid",
        total: 7,
        count: 1,
        first: new Date("2024-01-09T12:00:00Z"),
        last: 7,
        min: 7,
        max: new Date("2024-01-09T12:00:00Z"),
      },
    ]);
  });

  it("groups by a constant, a sub-document path and by day after an indexed $match", async () => {
    expect(await both("logins", [{ $group: { _id: null, n: { $sum: 1 } } }])).toEqual([{ _id: null, n: 5 }]);
    expect(
      await both("logins", [{ $group: { _id: "$tag.k", n: { $sum: "$n" } } }, { $sort: { _id: 1 } }]),
    ).toEqual([
      { _id: "a", n: 11 },
      { _id: "b", n: 5 },
      { _id: "c", n: 7 },
    ]);
    const byDay = [
      { $match: { at: { $gte: new Date("2024-01-02T00:00:00Z") } } },
      { $group: { _id: { $dateTrunc: { date: "$at", unit: "day" } }, n: { $count: {} } } },
      { $sort: { _id: -1 } },
    ];
    const fast = await t.db.collection("logins").aggregate(byDay).toArray();
    const general = await t.db
      .collection("logins")
      .aggregate([byDay[0], { $skip: 0 }, ...byDay.slice(1)])
      .toArray();
    expect(fast).toEqual(general);
    expect(fast.map((r) => r.n)).toEqual([1, 1, 1, 1]);
  });

  it("puts equal numbers of any BSON type in one group and keeps strings, dates and numbers apart", async () => {
    const at = new Date("2024-01-01T00:00:00Z");
    const oid = new ObjectId("65a000000000000000000001");
    const keyed: Document[] = [
      { _id: 1, k: 1, g: "a" },
      { _id: 2, k: new Long(1), g: "a" },
      { _id: 3, k: new Int32(1), g: "a" },
      { _id: 5, k: "1", g: "a" },
      { _id: 6, k: at, g: "a" },
      { _id: 7, k: at.getTime(), g: "a" },
      { _id: 8, k: Long.fromString("9007199254740993"), g: "a" },
      { _id: 9, k: Long.fromString("9007199254740992"), g: "a" },
      { _id: 10, k: oid, g: "a" },
      { _id: 11, k: new ObjectId(oid.toHexString()), g: "b" },
      { _id: 12, k: null, g: "a" },
      { _id: 13, k: 0, g: "b" },
      { _id: 14, k: 0.0, g: "b" },
    ];
    await t.db.collection("keys").insertMany(keyed);
    const counted = (rows: Document[]) =>
      rows
        .map((r) => [String(r._id?.k ?? r._id), r.c])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    const single = await both("keys", [{ $group: { _id: "$k", c: { $count: {} } } }]);
    // Two key parts: the second part splits the groups of the first one.
    const pairs = await both("keys", [{ $group: { _id: { k: "$k", g: "$g" }, c: { $count: {} } } }]);
    expect(counted(single)).toEqual(
      [
        ["0", 2],
        ["1", 3],
        ["1", 1],
        ["1704067200000", 1],
        ["65a000000000000000000001", 2],
        ["9007199254740992", 1],
        ["9007199254740993", 1],
        ["Mon Jan 01 2024 00:00:00 GMT+0000 (Coordinated Universal Time)", 1],
        ["null", 1],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    expect(pairs).toHaveLength(single.length + 1); // the ObjectId's two documents differ in g
  });

  it("gives the general path's answer for doubles, arrays, nulls, missing fields and non-dates", async () => {
    await both("odd", [{ $group: { _id: "$user", s: { $sum: "$n" } } }, { $sort: { s: 1 } }]);
    await both("odd", [{ $group: { _id: null, min: { $min: "$n" }, first: { $first: "$user" } } }]);
    await both("odd", [{ $group: { _id: { u: "$user" }, c: { $count: {} } } }, { $sort: { c: 1 } }]);
    await expect(
      t.db
        .collection("odd")
        .aggregate([{ $group: { _id: { $dateTrunc: { date: "$at", unit: "day" } } } }])
        .toArray(),
    ).rejects.toThrow();
  });
});

describe.skipIf(usesRealMongo)("$group fast path over BSON number types", () => {
  it("groups numbers by value whatever their BSON type, as canonical keys compare them", () => {
    // What reaches the embedded server undecoded: Decimal128, and longs beyond 2^53.
    const docs = [
      { k: 1 },
      { k: ServerDecimal128.fromString("1") },
      { k: 2 ** 53 },
      { k: ServerLong.fromString("9007199254740992") },
      { k: ServerLong.fromString("9007199254740993") },
      { k: "1" },
      { k: ServerDecimal128.fromString("1.0") },
    ];
    const grouped = runLeadingGroups(docs, [{ $group: { _id: "$k", c: { $count: {} } } }]);
    expect(grouped?.docs.map((row) => row.c)).toEqual([3, 2, 1, 1]);
    expect(grouped?.docs[0]?._id).toBe(1);
  });
});
