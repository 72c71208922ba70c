import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCoco } from "../support/run-coco.js";
import { testMongoClient, testMongoUri, uniqueName } from "../support/services.js";

vi.setConfig({ testTimeout: 180_000 });

describe("coco role", async () => {
  const client = await testMongoClient();
  const sysDatabase = uniqueName("roles");
  const env = {
    CORE4_HOME: mkdtempSync(join(tmpdir(), "core4ts-roles-")),
    CORE4_MONGODB_URI: await testMongoUri(),
    CORE4_OPTION_mongodb__sysDatabase: sysDatabase,
  };
  afterAll(async () => {
    await client.db(sysDatabase).dropDatabase();
  });

  it("adds, lists and removes a role without ever printing its password", async () => {
    const added = await runCoco(
      [
        "role",
        "add",
        "alice",
        "--password",
        "alice-secret-1",
        "--email",
        "alice@example.org",
        "--perm",
        "api://usage/*",
      ],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout.trim()).toBe("role alice added");

    const duplicate = await runCoco(["role", "add", "alice", "--password", "another-secret"], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/alice/);

    const listed = await runCoco(["role", "list", "--json"], env);
    expect(listed.code, listed.stderr).toBe(0);
    const roles = JSON.parse(listed.stdout) as { name: string; perm: string[]; email: string }[];
    expect(roles.find((r) => r.name === "alice")).toMatchObject({
      perm: ["api://usage/*"],
      email: "alice@example.org",
    });
    expect(listed.stdout).not.toContain("alice-secret-1");
    expect(listed.stdout).not.toMatch(/scrypt/);
    const stored = await client.db(sysDatabase).collection("sys.role").findOne({ name: "alice" });
    expect(String(stored?.password)).not.toContain("alice-secret-1");

    const missingPassword = await runCoco(["role", "add", "bob"], { ...env, CORE4_ROLE_PASSWORD: "" });
    expect(missingPassword.code).toBe(1);
    expect(missingPassword.stderr).toMatch(/--password/);

    const removed = await runCoco(["role", "remove", "alice"], env);
    expect(removed.code, removed.stderr).toBe(0);
    const again = await runCoco(["role", "remove", "alice"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/role "alice" does not exist/);
  });
});
