import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The newest modification time of the TypeScript sources under `dir` (milliseconds). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The bin the package ships (`npm run build`). */
export const BUILT_COCO = `${ROOT}dist/bin/coco.js`;

/** Whether {@link BUILT_COCO} exists and is newer than every source it is built from. */
export function builtCocoIsCurrent(): boolean {
  const built = statSync(BUILT_COCO, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(
    ...["bin", "framework", "server", "plugins"].map((d) => newestSource(join(ROOT, d))),
  );
  return built >= sources;
}

/**
 * The node arguments that start `coco`: from the TypeScript sources through tsx (tsx's loader by absolute
 * URL, so that coco runs from any working directory like an installed bin), or, with CORE4_TEST_COCO=dist,
 * the built bin the package ships (`npm run build`; about half the CPU per process, which CI's many coco
 * processes need). A build older than the sources is refused rather than tested.
 */
function cocoArgs(): readonly string[] {
  const mode = process.env.CORE4_TEST_COCO ?? "source";
  if (mode === "source") {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    return ["--conditions=core4ts-source", "--import", tsx, `${ROOT}bin/coco.ts`];
  }
  if (mode !== "dist") throw new Error(`CORE4_TEST_COCO must be "source" or "dist", got "${mode}"`);
  if (!builtCocoIsCurrent())
    throw new Error(
      `CORE4_TEST_COCO=dist: ${BUILT_COCO} is missing or older than the sources; run npm run build`,
    );
  return [BUILT_COCO];
}

/** `node …` arguments of `coco` followed by `args` (see {@link cocoArgs} for which coco). */
export const COCO: readonly string[] = cocoArgs();

/** `coco` with `args` as one shell command line (each word single-quoted). */
export function cocoShellCommand(args: string[]): string {
  return [process.execPath, ...COCO, ...args].map((word) => `'${word}'`).join(" ");
}

/** What a finished `coco` process left. */
export interface CocoResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `coco` from the sources as a user would (`npm run coco -- ...`), with extra environment. */
export function runCoco(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<CocoResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...COCO, ...args], {
      cwd: env.COCO_CWD ?? ROOT,
      env: { ...process.env, CORE4_PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running `coco` command (serve, dev, demo) and returns the process; the caller stops it. */
export function startCoco(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...COCO, ...args], {
    cwd: env.COCO_CWD ?? ROOT,
    env: { ...process.env, CORE4_PORT: "0", ...env },
  });
}
