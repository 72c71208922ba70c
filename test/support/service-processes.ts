import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { freePort } from "../../framework/services/process-tools.js";

/** A service process started for tests or benchmarks. */
export interface ServiceProcess {
  /** Where to reach it. */
  url: string;
  /** Its process id, when this process started it (benchmarks read its CPU time). */
  pid?: number;
  /** Stops the process and removes its files. */
  stop(): Promise<void>;
}

async function waitForRedis(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new RedisExited(child.exitCode);
    const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    try {
      await client.connect();
      // The server that answers must be ours: another test's redis-server may hold the port we were given.
      const info = await client.info("server");
      client.disconnect();
      if (info.includes(`process_id:${child.pid}\r`)) return;
      if (child.exitCode !== null) throw new RedisExited(child.exitCode);
    } catch (error) {
      client.disconnect();
      if (error instanceof RedisExited) throw error;
    }
    if (Date.now() > deadline) throw new Error("redis-server did not answer within 10 s");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Our redis-server exited while starting (most often: its port was taken after we picked it). */
class RedisExited extends Error {
  constructor(code: number) {
    super(`redis-server exited with code ${code}`);
  }
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Port to listen on (default: a free one); a restart passes the port of the server it replaces. */
  port?: number;
  /** Data folder (default: a new temporary one, removed on stop); with it, the AOF is kept there. */
  dir?: string;
}

/** Starts a throw-away redis-server (no persistence unless `dir` is given) on a loopback port. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<ServiceProcess> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "core4ts-test-redis-"));
  const persist = options.dir !== undefined ? ["--appendonly", "yes"] : ["--appendonly", "no"];
  // The port is picked before redis-server binds it and another process may take it in between: with a
  // port of our choosing, try another one (as the framework's launchRedis does).
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persist, "--dir", dir],
      { stdio: "ignore" },
    );
    await new Promise<void>((resolve, reject) => {
      child.once("error", (error) =>
        reject(
          new Error(
            `cannot start redis-server (${error.message}): apt-get install redis-server, or set CORE4_REDIS_URL`,
          ),
        ),
      );
      child.once("spawn", () => resolve());
    });
    try {
      await waitForRedis(child, port);
    } catch (error) {
      if (child.exitCode === null) child.kill("SIGKILL");
      if (error instanceof RedisExited && options.port === undefined && attempt < 3) continue;
      throw error;
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      ...(child.pid !== undefined && { pid: child.pid }),
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          await once(child, "exit");
        }
        if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/**
 * The embedded MongoDB in memory as its own process (like `coco` runs it): it does not share our event loop.
 * `nodeFlags` go to its node (a bench's `--cpu-prof`, written when it stops).
 */
export async function startMongoProcess(nodeFlags: string[] = []): Promise<ServiceProcess> {
  const main = fileURLToPath(new URL("../../framework/mongo-server/main.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    [...nodeFlags, "--conditions=core4ts-source", "--import", "tsx", main],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let output = "";
  for await (const chunk of child.stdout) {
    output += String(chunk);
    if (output.includes("\n")) break;
  }
  const { uri } = JSON.parse(output.split("\n")[0] as string) as { uri: string };
  return {
    url: uri,
    ...(child.pid !== undefined && { pid: child.pid }),
    stop: async () => {
      // A process killed by a signal (a test's kill -9) has exited with no exit code.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    },
  };
}

/** CORE4_REDIS_URL when set (left running), otherwise a throw-away redis-server. */
export async function redisFromEnvOrStart(): Promise<ServiceProcess> {
  const given = process.env.CORE4_REDIS_URL;
  return given ? { url: given, stop: async () => {} } : startRedisServer();
}
