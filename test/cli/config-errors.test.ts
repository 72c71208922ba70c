import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { runCoco } from "../support/run-coco.js";

const home = mkdtempSync(join(tmpdir(), "core4ts-cli-"));

// Each test spawns coco processes (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

describe("coco with bad configuration", () => {
  it("exits 1 naming an unknown key and its file", async () => {
    const file = join(home, "unknown.yaml");
    writeFileSync(file, "usage:\n  timezon: UTC\n");
    const result = await runCoco(["jobs"], { CORE4_CONFIG: file, CORE4_HOME: home });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`coco: unknown config key "usage.timezon" (from config file ${file})`);
  });

  it("exits 1 naming a wrongly typed key and its variable", async () => {
    const result = await runCoco(["jobs"], { CORE4_OPTION_server__port: "many", CORE4_HOME: home });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^coco: invalid config key "server\.port".*CORE4_OPTION_server__port/);
    expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("exits 1 on malformed YAML without a stack trace", async () => {
    const file = join(home, "broken.yaml");
    writeFileSync(file, "server: [unclosed\n");
    const result = await runCoco(["jobs"], { CORE4_CONFIG: file, CORE4_HOME: home });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`config file ${file} is not valid YAML`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("names an unreachable MongoDB without its password", async () => {
    const result = await runCoco(["role", "list"], {
      CORE4_MONGODB_URI: "mongodb://user:s3cret@127.0.0.1:1/?serverSelectionTimeoutMS=500",
      CORE4_HOME: home,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/MongoDB at mongodb:\/\/user:\*\*\*@127\.0\.0\.1:1/);
    expect(result.stderr).not.toContain("s3cret");
  });

  it("names an unreachable Redis", async () => {
    const result = await runCoco(["jobs"], {
      CORE4_MONGODB_URI: "embedded:memory",
      CORE4_REDIS_URL: "redis://127.0.0.1:1",
      CORE4_HOME: home,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Redis at redis:\/\/127\.0\.0\.1:1 does not answer/);
  });
});
