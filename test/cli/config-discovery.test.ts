import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ROOT, runCoco, startCoco } from "../support/run-coco.js";

// Each test spawns coco processes (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

const PLUGIN = `import { writeFileSync } from "node:fs";
import { CoreJob, definePlugin } from "core4ts";
import { z } from "zod";
class Work extends CoreJob {
  static jobName = "myplugin.Work";
  static args = z.object({ n: z.number().default(1) });
  async execute() {}
}
class Wait extends CoreJob {
  static jobName = "myplugin.Wait";
  static args = z.object({});
  async execute() {
    writeFileSync("started", "");
    await new Promise((resolve) => this.signal.addEventListener("abort", resolve));
  }
}
export default definePlugin({ name: "myplugin", jobs: [Work, Wait] });
`;

/** A project folder outside the repository with a JavaScript plugin and the given ./core4.yaml. */
function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "core4ts-discovery-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "core4ts"), "dir");
  symlinkSync(join(ROOT, "node_modules", "zod"), join(dir, "node_modules", "zod"), "dir");
  writeFileSync(join(dir, "plugin.mjs"), PLUGIN);
  writeFileSync(join(dir, "core4.yaml"), yaml);
  return dir;
}

const env = (cwd: string) => ({
  COCO_CWD: cwd,
  CORE4_CONFIG: "",
  CORE4_HOME: join(cwd, ".core4"),
  CORE4_MONGODB_URI: "embedded:memory",
});

describe("./core4.yaml", () => {
  it("is read when CORE4_CONFIG is unset", async () => {
    const cwd = project("plugins:\n  - ./plugin.mjs\n");
    const result = await runCoco(["run", "myplugin.Work", "n=2", "--json"], env(cwd));
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      name: "myplugin.Work",
      state: "complete",
      args: { n: 2 },
      // It never reported progress, and it is done.
      progress: { value: 1 },
    });
  });

  it("lets Ctrl-C end coco run with 130, the kill logged at warn without a stack", async () => {
    const cwd = project("plugins:\n  - ./plugin.mjs\n");
    const child = startCoco(["run", "myplugin.Wait"], env(cwd));
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await vi.waitFor(() => expect(existsSync(join(cwd, "started"))).toBe(true), {
      timeout: 60_000,
      interval: 100,
    });
    const exited = once(child, "exit");
    child.kill("SIGINT");
    const [code] = (await exited) as [number | null];
    expect(code).toBe(130);
    expect(stderr).toContain("coco: myplugin.Wait interrupted and journaled as killed");
    expect(stderr).toMatch(/"level":"warn"[^\n]*job killed/);
    expect(stderr).not.toMatch(/"level":"(error|fatal)"/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a jobs.<name> that names no registered job, in every command", async () => {
    const cwd = project("plugins:\n  - ./plugin.mjs\njobs:\n  myplugin.Wrok:\n    attempts: 5\n");
    const expected =
      /^coco: unknown job "myplugin\.Wrok" in config key "jobs" \(from config file core4\.yaml; registered: myplugin\.Wait, myplugin\.Work, usage\.AggregateLogins\)$/;
    for (const command of [["run", "myplugin.Work"], ["jobs"], ["services"]]) {
      const result = await runCoco(command, env(cwd));
      expect(result.code, command.join(" ")).toBe(1);
      expect(result.stderr.trim(), command.join(" ")).toMatch(expected);
    }
  });

  it("refuses an unknown key under jobs.<name>, also for coco services", async () => {
    const cwd = project("plugins:\n  - ./plugin.mjs\njobs:\n  myplugin.Work:\n    atempts: 5\n");
    const result = await runCoco(["services"], env(cwd));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'unknown config key "jobs.myplugin.Work.atempts" (from config file core4.yaml)',
    );
  });

  it("is named in the hint of an unknown job", async () => {
    const cwd = project("plugins: []\n");
    const result = await runCoco(["run", "myplugin.Work"], env(cwd));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'coco: unknown job "myplugin.Work" (registered: usage.AggregateLogins); plugins are listed under "plugins" in ./core4.yaml',
    );
  });
});
