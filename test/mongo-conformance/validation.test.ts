/**
 * Schema validation as MongoDB documents it: a violating write fails with DocumentValidationFailure (121)
 * and `errInfo.failingDocumentId`/`details`; `collMod` changes the validator; `validationLevel: "moderate"`
 * lets updates of already-invalid documents through; `validationAction: "warn"` accepts; `$jsonSchema`
 * with `bsonType`, `required`, `properties`, `minimum`, `enum`; `bypassDocumentValidation` skips it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTarget, type Target } from "./harness.js";

interface Person {
  _id: number;
  name?: unknown;
  age?: unknown;
  role?: string;
}

let t: Target;
beforeAll(async () => {
  t = await openTarget("validation");
});
afterAll(async () => {
  await t?.close();
});

const schema = {
  $jsonSchema: {
    bsonType: "object",
    required: ["name", "age"],
    properties: {
      name: { bsonType: "string", description: "a name" },
      age: { bsonType: "int", minimum: 0, maximum: 150 },
      role: { enum: ["admin", "user"] },
    },
  },
};

async function failure(
  write: Promise<unknown>,
): Promise<{ code?: number; errInfo?: Record<string, unknown> }> {
  return write.then(
    () => ({}),
    (e: unknown) => e as { code?: number; errInfo?: Record<string, unknown> },
  );
}

describe("validators", () => {
  it("refuses documents that break a $jsonSchema validator, with errInfo", async () => {
    await t.db.createCollection("people", { validator: schema });
    const c = t.db.collection<Person>("people");
    await c.insertOne({ _id: 1, name: "Ann", age: 30, role: "admin" });
    const error = await failure(c.insertOne({ _id: 2, name: "Bob" }));
    expect(error.code).toBe(121);
    expect(error.errInfo).toMatchObject({ failingDocumentId: 2, details: { operatorName: "$jsonSchema" } });
    expect((await failure(c.insertOne({ _id: 3, name: "C", age: -1 }))).code).toBe(121);
    expect((await failure(c.insertOne({ _id: 4, name: 5, age: 1 }))).code).toBe(121);
    expect((await failure(c.insertOne({ _id: 5, name: "E", age: 1, role: "root" }))).code).toBe(121);
    expect((await failure(c.updateOne({ _id: 1 }, { $set: { age: "old" } }))).code).toBe(121);
    expect((await failure(c.replaceOne({ _id: 1 }, { name: "Ann" }))).code).toBe(121);
    expect((await failure(c.updateOne({ _id: 9 }, { $set: { name: "x" } }, { upsert: true }))).code).toBe(
      121,
    );
    expect(await c.find().toArray()).toEqual([{ _id: 1, name: "Ann", age: 30, role: "admin" }]);
    await c.insertOne({ _id: 6, name: "F" }, { bypassDocumentValidation: true });
    expect(await c.countDocuments()).toBe(2);
  });

  it("changes the validator with collMod and honours validationLevel and validationAction", async () => {
    const c = t.db.collection<Person>("modded");
    await c.insertMany([
      { _id: 1, name: "ok", age: 1 },
      { _id: 2, age: 2 },
    ]);
    await t.db.command({ collMod: "modded", validator: { name: { $type: "string" } } });
    const [info] = await t.db.listCollections({ name: "modded" }).toArray();
    expect(info).toMatchObject({ options: { validator: { name: { $type: "string" } } } });
    // strict (the default): an update of the invalid document must make it valid.
    expect((await failure(c.updateOne({ _id: 2 }, { $set: { age: 3 } }))).code).toBe(121);
    const error = await failure(c.insertOne({ _id: 3, name: 7 }));
    expect(error).toMatchObject({ code: 121, errInfo: { failingDocumentId: 3 } });
    await t.db.command({ collMod: "modded", validationLevel: "moderate" });
    await c.updateOne({ _id: 2 }, { $set: { age: 3 } });
    expect((await failure(c.updateOne({ _id: 1 }, { $set: { name: 1 } }))).code).toBe(121);
    await t.db.command({ collMod: "modded", validationAction: "warn" });
    await c.insertOne({ _id: 4, name: 8 });
    expect(await c.countDocuments()).toBe(3);
    await expect(t.db.command({ collMod: "modded", validationLevel: "sometimes" })).rejects.toThrow();
    await expect(t.db.command({ collMod: "nope", validator: {} })).rejects.toMatchObject({ code: 26 });
  });

  it("matches $jsonSchema in queries", async () => {
    const c = t.db.collection<Person>("jsq");
    await c.insertMany([
      { _id: 1, name: "a", age: 1 },
      { _id: 2, name: "b" },
    ]);
    expect(await c.countDocuments(schema)).toBe(1);
  });
});
