import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { pingRedis } from "./probes.js";
import { findOnPath, freePort, sleep, stopChild } from "./process-tools.js";
import { ServiceError } from "./service-error.js";
import type { ServiceName } from "./types.js";

/** A service process this process started. */
export interface LaunchedService {
  kind: ServiceName;
  /** URI / URL clients connect to. */
  url: string;
  pid: number;
  child: ChildProcess;
  /** Where its stdout and stderr go. */
  logFile: string;
}

/** Where and how to start a service. */
export interface LaunchOptions {
  home: string;
  /** Also the timeout for the service to answer. Default 30 s. */
  readyTimeoutMs?: number;
  /**
   * Port to listen on: a restarted service takes its recorded one, so that running clients reach it again
   * at the same URL. When it is taken, a free port is used instead. Default: a free port.
   */
  port?: number;
  /** Redis: the password clients must give (`requirepass`). */
  password?: string;
  /** MongoDB: the user clients log in as (SCRAM-SHA-256). */
  auth?: { username: string; password: string };
}

/** The fix named when redis-server is missing. */
export const REDIS_MISSING =
  "redis-server not found on PATH: install it (apt-get install redis-server), or set CORE4_REDIS_URL";

/**
 * Starts `redis-server` from PATH on a free loopback port, AOF under `$home/redis`. The process runs in its
 * own process group (Ctrl-C in a terminal reaches only its owner, which stops it after a graceful shutdown)
 * and does not keep this process alive.
 */
export async function launchRedis(options: LaunchOptions): Promise<LaunchedService> {
  const binary = findOnPath("redis-server");
  if (!binary) throw new ServiceError(REDIS_MISSING);
  const dir = join(options.home, "redis");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The password goes in a 0600 file, not on the command line where every local user could read it.
  const configFile = join(dir, "redis.conf");
  const password = options.password;
  writeFileSync(configFile, password ? `requirepass "${password}"\n` : "", { mode: 0o600 });
  chmodSync(configFile, 0o600);
  const auth = password ? `:${encodeURIComponent(password)}@` : "";
  // The port is picked before redis binds it; another process may take it in between: try again then.
  for (let attempt = 1; ; attempt++) {
    const port = attempt === 1 && options.port ? options.port : await freePort();
    const args = [configFile, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir];
    args.push("--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction", "--daemonize", "no");
    const launched = launch("redis", binary, args, options.home);
    const url = `redis://${auth}127.0.0.1:${port}`;
    try {
      await waitUntil(launched, options.readyTimeoutMs ?? 30_000, async () =>
        (await pingRedis(url, 1_000)).ok ? url : undefined,
      );
      return { ...launched, url };
    } catch (error) {
      await stopChild(launched.child, 2_000);
      if (attempt < 3 && readLog(launched).includes("Address already in use")) continue;
      throw error;
    }
  }
}

/**
 * Starts the embedded MongoDB server as a child process persisted under `$home/mongo`, through its runnable
 * entry (the TypeScript source with tsx when running from sources, the built JavaScript otherwise).
 */
export async function launchMongo(options: LaunchOptions): Promise<LaunchedService> {
  const dir = join(options.home, "mongo");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Credentials reach the server through its environment, never its command line.
  const env: Record<string, string> = options.auth
    ? {
        CORE4_EMBEDDED_MONGO_USERNAME: options.auth.username,
        CORE4_EMBEDDED_MONGO_PASSWORD: options.auth.password,
      }
    : {};
  for (let attempt = 1; ; attempt++) {
    const port = attempt === 1 && options.port ? options.port : 0;
    const args = [...mongoEntry(), "--port", String(port), "--data", dir];
    const launched = launch("mongodb", process.execPath, args, options.home, env);
    try {
      const uri = await waitUntil(launched, options.readyTimeoutMs ?? 30_000, async () => readyUri(launched));
      return { ...launched, url: withCredentials(uri, options.auth) };
    } catch (error) {
      await stopChild(launched.child, 2_000);
      if (attempt < 2 && port !== 0 && /EADDRINUSE|address already in use/i.test(readLog(launched))) continue;
      throw error;
    }
  }
}

/** A MongoDB URI with a user and password in it. */
function withCredentials(uri: string, auth: LaunchOptions["auth"]): string {
  if (!auth) return uri;
  const user = `${encodeURIComponent(auth.username)}:${encodeURIComponent(auth.password)}@`;
  return uri.replace(/^mongodb:\/\//, `mongodb://${user}`);
}

/** Node arguments that run the embedded MongoDB entry point. */
function mongoEntry(): string[] {
  if (import.meta.url.endsWith(".ts")) {
    // Running from sources (tsx, vitest): run the .ts entry through tsx, resolved from this package.
    const tsx = createRequire(import.meta.url).resolve("tsx");
    return [
      "--conditions=core4ts-source",
      "--import",
      pathToFileURL(tsx).href,
      fileURLToPath(new URL("../mongo-server/main.ts", import.meta.url)),
    ];
  }
  return [fileURLToPath(new URL("../mongo-server/main.js", import.meta.url))];
}

interface Launching {
  kind: ServiceName;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Size of the log before this start: only what follows is ours. */
  logOffset: number;
  /** Set when spawning failed. */
  spawnError?: Error;
}

function launch(
  kind: ServiceName,
  command: string,
  args: string[],
  home: string,
  env: Record<string, string> = {},
): Launching {
  const logs = join(home, "logs");
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  const logFile = join(logs, `${kind}.log`);
  const fd = openSync(logFile, "a", 0o600);
  const logOffset = statSync(logFile).size;
  let child: ChildProcess;
  // The service creates its files (AOF, journal) with our umask at the fork: only its user may read them.
  const umask = process.umask(0o077);
  try {
    child = spawn(command, args, {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: { ...process.env, ...env },
    });
  } finally {
    process.umask(umask);
    closeSync(fd);
  }
  child.unref();
  const launching: Launching = { kind, pid: child.pid ?? 0, child, logFile, logOffset };
  child.once("error", (error) => {
    launching.spawnError = error;
  });
  return launching;
}

/** Polls `ready` until it yields a URL; fails when the process exits or the time is up. */
async function waitUntil(
  launching: Launching,
  timeoutMs: number,
  ready: () => Promise<string | undefined>,
): Promise<string> {
  const label = launching.kind === "redis" ? "redis-server" : "embedded MongoDB";
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { child } = launching;
    if (launching.spawnError) {
      const code = (launching.spawnError as NodeJS.ErrnoException).code;
      if (code === "ENOENT" && launching.kind === "redis") throw new ServiceError(REDIS_MISSING);
      throw new ServiceError(`cannot start ${label}: ${launching.spawnError.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      const how = child.exitCode !== null ? `with code ${child.exitCode}` : `on ${child.signalCode}`;
      throw new ServiceError(
        `${label} exited ${how} while starting: ${lastLine(launching)} (see ${launching.logFile})`,
      );
    }
    const url = await ready().catch(() => undefined);
    if (url) return url;
    if (Date.now() > deadline) {
      throw new ServiceError(
        `${label} did not answer within ${Math.round(timeoutMs / 1000)} s (see ${launching.logFile})`,
      );
    }
    await sleep(50);
  }
}

/** The URI the MongoDB entry prints once it listens: `{"uri": "..."}`. */
function readyUri(launching: Launching): string | undefined {
  for (const line of readLog(launching).split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(line) as { uri?: unknown };
      if (typeof parsed.uri === "string") return parsed.uri;
    } catch {
      // not the line we wait for
    }
  }
  return undefined;
}

function readLog(launching: Launching): string {
  try {
    return readFileSync(launching.logFile).subarray(launching.logOffset).toString("utf8");
  } catch {
    return "";
  }
}

function lastLine(launching: Launching): string {
  const lines = readLog(launching)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1)?.slice(0, 300) ?? "no output";
}
