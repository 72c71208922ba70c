import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTarget, type Target } from "./harness.js";

let t: Target;
beforeAll(async () => {
  t = await openTarget("aggregate");
  await t.db.collection("logins").insertMany([
    { user: "ann", at: new Date("2024-01-01T08:00:00Z") }, // Monday
    { user: "ann", at: new Date("2024-01-02T09:00:00Z") },
    { user: "bob", at: new Date("2024-01-07T23:59:59Z") }, // Sunday, same ISO week
    { user: "bob", at: new Date("2024-01-08T00:00:00Z") }, // next Monday
    { user: "cid", at: new Date("2024-01-09T12:00:00Z") },
  ]);
});
afterAll(async () => {
  await t?.close();
});

describe("aggregate", () => {
  it("counts distinct users per ISO week with two $group stages and $dateTrunc in UTC", async () => {
    const rows = await t.db
      .collection("logins")
      .aggregate([
        {
          $group: {
            _id: {
              p: { $dateTrunc: { date: "$at", unit: "week", timezone: "UTC", startOfWeek: "monday" } },
              u: "$user",
            },
            logins: { $sum: 1 },
          },
        },
        { $group: { _id: "$_id.p", users: { $sum: 1 }, logins: { $sum: "$logins" } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(rows).toEqual([
      { _id: new Date("2024-01-01T00:00:00Z"), users: 2, logins: 3 },
      { _id: new Date("2024-01-08T00:00:00Z"), users: 2, logins: 2 },
    ]);
  });

  it("truncates to days and months", async () => {
    const rows = await t.db
      .collection("logins")
      .aggregate([
        { $match: { user: "bob" } },
        {
          $project: {
            _id: 0,
            day: { $dateTrunc: { date: "$at", unit: "day", timezone: "UTC" } },
            month: { $dateTrunc: { date: "$at", unit: "month" } },
          },
        },
        { $sort: { day: 1 } },
      ])
      .toArray();
    expect(rows).toEqual([
      { day: new Date("2024-01-07T00:00:00Z"), month: new Date("2024-01-01T00:00:00Z") },
      { day: new Date("2024-01-08T00:00:00Z"), month: new Date("2024-01-01T00:00:00Z") },
    ]);
  });

  it("never changes stored documents", async () => {
    const before = await t.db
      .collection("logins")
      .find({}, { sort: { at: 1 } })
      .toArray();
    await t.db
      .collection("logins")
      .aggregate([{ $addFields: { extra: 1, user: "changed" } }, { $unset: "at" }])
      .toArray();
    await t.db
      .collection("logins")
      .find({}, { projection: { user: 0 } })
      .toArray();
    const after = await t.db
      .collection("logins")
      .find({}, { sort: { at: 1 } })
      .toArray();
    expect(after).toEqual(before);
  });

  it("returns aggregate results through a cursor with batchSize", async () => {
    const c = t.db.collection("nums");
    await c.insertMany(Array.from({ length: 300 }, (_, i) => ({ i, even: i % 2 === 0 })));
    const reply = await t.db.command({
      aggregate: "nums",
      pipeline: [{ $match: { even: true } }, { $sort: { i: 1 } }],
      cursor: { batchSize: 20 },
    });
    expect(reply.cursor.firstBatch).toHaveLength(20);
    const all = await c.aggregate([{ $match: { even: true } }]).toArray();
    expect(all).toHaveLength(150);
    const counted = await c.aggregate([{ $match: { i: { $lt: 10 } } }, { $count: "n" }]).toArray();
    expect(counted).toEqual([{ n: 10 }]);
  });

  it("requires the cursor option", async () => {
    await expect(t.db.command({ aggregate: "nums", pipeline: [] })).rejects.toMatchObject({ code: 9 });
  });

  it("answers count and distinct", async () => {
    expect(await t.db.collection("logins").distinct("user")).toEqual(["ann", "bob", "cid"]);
    const reply = await t.db.command({ count: "logins", query: { user: "ann" } });
    expect(reply.n).toBe(2);
  });

  it("joins with $lookup", async () => {
    await t.db.collection("roles").insertMany([{ name: "ann", role: "admin" }]);
    const rows = await t.db
      .collection("logins")
      .aggregate([
        { $match: { user: "ann" } },
        { $limit: 1 },
        { $lookup: { from: "roles", localField: "user", foreignField: "name", as: "r" } },
        { $project: { _id: 0, role: { $first: "$r.role" } } },
      ])
      .toArray();
    expect(rows).toEqual([{ role: "admin" }]);
  });
});
