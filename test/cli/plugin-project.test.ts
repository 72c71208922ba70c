import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it, vi } from "vitest";
import { builtCocoIsCurrent, ROOT } from "../support/run-coco.js";

const run = promisify(execFile);

// Packs core4ts, scaffolds, installs and tests a project from the registry cache: minutes on a loaded machine.
vi.setConfig({ testTimeout: 900_000, hookTimeout: 600_000 });

/** The environment of a user's shell: nothing of this repository's npm script, vitest run or test config. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|CORE4_|NODE_OPTIONS$|NODE_ENV$|TEST$|FORCE_COLOR$)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: "1", CORE4_OPTION_log__level: "warn", ...extra };
}

/** `dist/` as the sources are now (a checkout's dist may be older than its last edit). */
async function ensureBuilt(): Promise<void> {
  if (builtCocoIsCurrent()) return;
  await run("npm", ["run", "build"], { cwd: ROOT, env: userEnv() });
}

async function npm(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run("npm", args, { cwd, env: userEnv(), maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

const work = mkdtempSync(join(tmpdir(), "core4ts-plugin-project-"));
let dev: ChildProcess | undefined;

afterAll(() => {
  dev?.kill("SIGKILL");
  // npx installs the tarball under the npm cache's _npx/<hash>: remove ours, it is of no use again.
  const npxCache = join(process.env.npm_config_cache ?? join(homedir(), ".npm"), "_npx");
  if (existsSync(npxCache)) {
    for (const entry of readdirSync(npxCache)) {
      const manifest = join(npxCache, entry, "package.json");
      if (existsSync(manifest) && readFileSync(manifest, "utf8").includes(work)) {
        rmSync(join(npxCache, entry), { recursive: true, force: true });
      }
    }
  }
  rmSync(work, { recursive: true, force: true });
});

describe("a plugin project outside the repository, from the packed core4ts", () => {
  it("scaffolds with npx, installs, passes its tests, and serves its route with coco dev", async () => {
    await ensureBuilt();
    await npm(["pack", "--ignore-scripts", "--silent", "--pack-destination", work], ROOT);
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const spec = join(work, tarball as string);

    // npx --package=<spec> core4ts: `npx coco` would be another npm package.
    const created = await npm(
      ["exec", "--yes", "--prefer-offline", `--package=${spec}`, "--", "core4ts", "init", "myplugin"],
      work,
    );
    expect(created).toContain("created ./myplugin");
    const project = join(work, "myplugin");
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    expect(manifest.dependencies.core4ts).toBe(`file:${spec}`);

    await npm(["install", "--prefer-offline", "--no-audit", "--no-fund"], project);
    const tested = await npm(["test"], project);
    expect(tested).toMatch(/Tests\s+\S*4 passed/);
    // In-memory MongoDB and no Redis: the tests left no state folder (no redis-server ran for them).
    expect(existsSync(join(project, ".core4"))).toBe(false);

    dev = spawn("npx", ["coco", "dev"], {
      cwd: project,
      env: userEnv({ CORE4_PORT: "0" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    dev.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    dev.stdout?.resume();
    const login = await vi.waitFor(
      () => {
        const match = /log in at (http:\/\/\S+)\/core4\/login as (\S+) \/ (\S+)/.exec(stderr);
        if (!match) throw new Error(`coco dev has not printed its login yet:\n${stderr}`);
        return { base: match[1] as string, user: match[2] as string, password: match[3] as string };
      },
      { timeout: 120_000, interval: 250 },
    );
    const auth = `Basic ${Buffer.from(`${login.user}:${login.password}`).toString("base64")}`;
    const response = await fetch(`${login.base}/myplugin/hello?who=you`, {
      headers: { authorization: auth, accept: "application/json" },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { text: string } }).data.text).toBe("hello, you");

    // SIGTERM to npx: coco shuts down and the port is free again.
    const exited = once(dev, "exit");
    dev.kill("SIGTERM");
    await exited;
    await vi.waitFor(
      async () => {
        await expect(fetch(`${login.base}/core4/api/v1/health`)).rejects.toThrow();
      },
      { timeout: 60_000, interval: 500 },
    );
  });
});
