import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ROOT, runCoco } from "../support/run-coco.js";

// Each test spawns coco processes (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

describe("coco init", () => {
  it("scaffolds a plugin project and refuses to overwrite it", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "core4ts-init-"));
    const env = { COCO_CWD: cwd, CORE4_HOME: join(cwd, ".core4") };
    const result = await runCoco(["init", "home"], env);
    expect(result.code, result.stderr).toBe(0);
    for (const file of ["package.json", "core4.yaml", "plugin.ts", "README.md"]) {
      expect(existsSync(join(cwd, "home", file)), file).toBe(true);
    }
    expect(readFileSync(join(cwd, "home", "plugin.ts"), "utf8")).toContain('jobName = "home.Hello"');
    const again = await runCoco(["init", "home"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists already/);
    const bad = await runCoco(["init", "Bad Name"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/lowercase identifier/);
  });

  it("scaffolds a plugin whose job runs with coco run", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "core4ts-init-run-"));
    await runCoco(["init", "greeter"], { COCO_CWD: cwd });
    const project = join(cwd, "greeter");
    // What `npm install` in the new project provides: core4ts (this checkout) and zod.
    mkdirSync(join(project, "node_modules"));
    symlinkSync(ROOT, join(project, "node_modules", "core4ts"), "dir");
    symlinkSync(join(ROOT, "node_modules", "zod"), join(project, "node_modules", "zod"), "dir");
    const result = await runCoco(["run", "greeter.Hello", "who=tests", "--json"], {
      COCO_CWD: project,
      CORE4_HOME: join(project, ".core4"),
      CORE4_CONFIG: join(project, "core4.yaml"),
      CORE4_MONGODB_URI: "embedded:memory",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ state: "complete", sources: ["greetings"] });
  });
});
