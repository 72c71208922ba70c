import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { verifyPassword } from "../../server/auth/password-hash.js";
import { cocoShellCommand, ROOT, runCoco } from "../support/run-coco.js";
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

    expect(added.stderr).toMatch(/--password is visible to every local user/);
    const missingPassword = await runCoco(["role", "add", "bob"], { ...env, CORE4_ROLE_PASSWORD: "" });
    expect(missingPassword.code).toBe(1);
    expect(missingPassword.stderr).toMatch(/CORE4_ROLE_PASSWORD/);

    const removed = await runCoco(["role", "remove", "alice"], env);
    expect(removed.code, removed.stderr).toBe(0);
    const again = await runCoco(["role", "remove", "alice"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/role "alice" does not exist/);
  });

  it("takes the password from CORE4_ROLE_PASSWORD, out of the process list", async () => {
    const added = await runCoco(["role", "add", "carol"], { ...env, CORE4_ROLE_PASSWORD: "carol-secret-1" });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toBe("");
    const stored = await client.db(sysDatabase).collection("sys.role").findOne({ name: "carol" });
    expect(await verifyPassword("carol-secret-1", String(stored?.password))).toBe(true);
  });

  it("asks for the password on a terminal without echoing it", async () => {
    // `script` gives coco a real pseudo-terminal as stdin.
    const command = cocoShellCommand(["role", "add", "dora"]);
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd: ROOT,
      env: { ...process.env, ...env, CORE4_ROLE_PASSWORD: "" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await vi.waitFor(() => expect(output).toMatch(/Password for role dora: /), { timeout: 60_000 });
    child.stdin.write("dora-secret-1\r");
    await vi.waitFor(() => expect(output).toMatch(/Repeat it: /), { timeout: 10_000 });
    child.stdin.write("dora-secret-1\r");
    expect(await exited, output).toBe(0);
    expect(output).toMatch(/role dora added/);
    expect(output).not.toContain("dora-secret-1");
    const stored = await client.db(sysDatabase).collection("sys.role").findOne({ name: "dora" });
    expect(await verifyPassword("dora-secret-1", String(stored?.password))).toBe(true);
  });
});
