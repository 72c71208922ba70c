import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { dependencySpec } from "../../bin/init/core4ts-spec.js";
import { ROOT, runCoco } from "../support/run-coco.js";

// Each test spawns coco processes (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

describe("coco init", () => {
  it("scaffolds a plugin project and refuses to overwrite it", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "core4ts-init-"));
    const env = { COCO_CWD: cwd, CORE4_HOME: join(cwd, ".core4") };
    const result = await runCoco(["init", "home"], env);
    expect(result.code, result.stderr).toBe(0);
    for (const file of [
      "package.json",
      "tsconfig.json",
      "vitest.config.ts",
      "core4.yaml",
      "src/plugin.ts",
      "src/hello.ts",
      "test/plugin.test.ts",
      "README.md",
    ]) {
      expect(existsSync(join(cwd, "home", file)), file).toBe(true);
    }
    expect(readFileSync(join(cwd, "home", "src/hello.ts"), "utf8")).toContain('jobName = "home.Hello"');
    const pkg = JSON.parse(readFileSync(join(cwd, "home", "package.json"), "utf8"));
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(["dev", "test", "build", "typecheck"]));
    // Run from this checkout, the project depends on this checkout.
    expect(pkg.dependencies.core4ts).toBe(`file:${ROOT.replace(/\/$/, "")}`);
    const again = await runCoco(["init", "home"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists already/);
    const bad = await runCoco(["init", "Bad Name"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/lowercase identifier/);
  });

  it("depends on the core4ts it was given", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "core4ts-init-from-"));
    const from = await runCoco(["init", "fromgit", "--from", "github:example/core4ts#v0.2.0"], {
      COCO_CWD: cwd,
    });
    expect(from.code, from.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, "fromgit", "package.json"), "utf8")).dependencies.core4ts).toBe(
      "github:example/core4ts#v0.2.0",
    );
    // What npx passes for `npx --package=./core4ts-0.1.0.tgz core4ts init x`.
    const npx = await runCoco(["init", "fromnpx"], {
      COCO_CWD: cwd,
      npm_config_package: "./core4ts-0.1.0.tgz",
    });
    expect(npx.code, npx.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, "fromnpx", "package.json"), "utf8")).dependencies.core4ts).toBe(
      `file:${join(cwd, "core4ts-0.1.0.tgz")}`,
    );
    expect(dependencySpec("core4ts@0.3.1", cwd)).toBe("0.3.1");
    expect(dependencySpec("/opt/core4ts", cwd)).toBe("file:/opt/core4ts");
    expect(dependencySpec("git+https://git.example.com/core4ts.git", cwd)).toBe(
      "git+https://git.example.com/core4ts.git",
    );
    expect(() => dependencySpec("left-pad@1.0.0", cwd)).toThrow(/names package left-pad, not core4ts/);
  });

  it("scaffolds a plugin whose job runs with coco run, config found in the folder", async () => {
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
      CORE4_CONFIG: "",
      CORE4_MONGODB_URI: "embedded:memory",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ state: "complete", sources: ["greetings"] });
  });
});
