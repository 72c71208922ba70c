import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ROOT, runCoco } from "../support/run-coco.js";
import { testMongoUri, uniqueName } from "../support/services.js";

// Each test spawns coco processes (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

/** The first ```ts block of a docs page. */
function firstTypeScriptBlock(page: string): string {
  const text = readFileSync(join(ROOT, "docs", page), "utf8");
  const match = /```ts\n([\s\S]*?)```/.exec(text);
  if (!match) throw new Error(`no ts block in docs/${page}`);
  return match[1] as string;
}

describe("docs/jobs.md", () => {
  it("Greet, run twice for the same day, greets both times", async () => {
    const dir = mkdtempSync(join(tmpdir(), "core4ts-docs-"));
    mkdirSync(join(dir, "node_modules"));
    mkdirSync(join(dir, "hello"));
    symlinkSync(ROOT, join(dir, "node_modules", "core4ts"), "dir");
    symlinkSync(join(ROOT, "node_modules", "zod"), join(dir, "node_modules", "zod"), "dir");
    writeFileSync(join(dir, "hello", "plugin.ts"), firstTypeScriptBlock("jobs.md"));
    writeFileSync(join(dir, "core4.yaml"), "plugins: [./hello/plugin.ts]\n");
    // As in a project made by core4ts init: ES modules (a CommonJS .ts plugin would load a second core4ts).
    writeFileSync(join(dir, "package.json"), '{"type": "module"}\n');
    const env = {
      COCO_CWD: dir,
      CORE4_CONFIG: "",
      CORE4_HOME: join(dir, ".core4"),
      CORE4_MONGODB_URI: await testMongoUri(),
      CORE4_OPTION_mongodb__sysDatabase: uniqueName("sys"),
    };
    for (const run of [1, 2]) {
      const result = await runCoco(["run", "hello.Greet", "day=2026-11-27", "count=2", "--json"], env);
      expect(result.code, result.stderr).toBe(0);
      // The loop ran: a run that found the last checkpoint left behind would report no progress at all.
      expect(JSON.parse(result.stdout), `run ${run}`).toMatchObject({
        state: "complete",
        progress: { value: 1, message: "greeting 2 of 2" },
      });
    }
  });
});
