import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

// tsx's loader by absolute URL, so that coco can run from any working directory (like an installed bin).
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

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
    const child = spawn(
      process.execPath,
      ["--conditions=core4ts-source", "--import", TSX, `${ROOT}bin/coco.ts`, ...args],
      {
        cwd: env.COCO_CWD ?? ROOT,
        env: { ...process.env, CORE4_PORT: "0", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
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
  return spawn(
    process.execPath,
    ["--conditions=core4ts-source", "--import", TSX, `${ROOT}bin/coco.ts`, ...args],
    {
      cwd: env.COCO_CWD ?? ROOT,
      env: { ...process.env, CORE4_PORT: "0", ...env },
    },
  );
}
