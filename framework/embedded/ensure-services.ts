import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { redactUri } from "../mongo/index.js";
import { HomeLock } from "./home-lock.js";
import { type LaunchedService, launchMongo, launchRedis, REDIS_MISSING } from "./launch-service.js";
import { EmbeddedMongoServer } from "./mongo/index.js";
import { trackOwned, untrackOwned } from "./owned-children.js";
import { answers, pingMongo, pingRedis } from "./probes.js";
import { commandLineContains, findOnPath, isAlive, stopChild, stopPid } from "./process-tools.js";
import { ServiceError } from "./service-error.js";
import { readServicesFile, writeServicesFile } from "./services-file.js";
import type { RunningServices, ServiceName, ServicesFile, ServicesOptions } from "./types.js";

/** A service this process is responsible for stopping. */
interface Owned {
  kind: ServiceName;
  pid: number;
  /** Present when it is our child (started here), absent for an adopted orphan. */
  child?: ChildProcess;
}

/**
 * Makes sure the services a process needs run, following docs/contracts.md "Embedded services":
 * - a `mongodb://` URI or a Redis URL is used as is, after checking it answers;
 * - `embedded:memory` starts a MongoDB-compatible server inside this process (not shared);
 * - `embedded` MongoDB and a missing Redis URL use the services recorded in `$home/services.json` when they
 *   answer, and otherwise start them (children of this process, or background processes with `detached`),
 *   recording them there. Processes of one home share them; a lock keeps two from starting two sets.
 *
 * Throws a {@link ServiceError} with one actionable line when a service cannot be reached or started.
 */
export async function ensureServices(options: ServicesOptions): Promise<RunningServices> {
  const home = resolve(options.home);
  const detached = options.detached ?? false;
  const needRedis = options.needRedis ?? true;
  const mongoMode = mongoModeOf(options.mongodbUri);
  const redisMode = options.redisUrl ? "given" : needRedis ? "embedded" : "none";

  await Promise.all([
    mongoMode === "given" ? checkGiven("mongodb", options.mongodbUri) : undefined,
    redisMode === "given" && options.redisUrl ? checkGiven("redis", options.redisUrl) : undefined,
  ]);
  if (redisMode === "embedded" && !findOnPath("redis-server")) throw new ServiceError(REDIS_MISSING);

  const wanted: ServiceName[] = [];
  if (mongoMode === "embedded") wanted.push("mongodb");
  if (redisMode === "embedded") wanted.push("redis");
  const shared = wanted.length > 0 ? await ensureShared(home, wanted, detached) : { urls: {}, owned: [] };

  let memory: EmbeddedMongoServer | undefined;
  if (mongoMode === "memory") {
    memory = new EmbeddedMongoServer();
    try {
      await memory.start();
    } catch (error) {
      await stopOwned(home, shared.owned, detached);
      throw new ServiceError(`cannot start the in-memory MongoDB server: ${(error as Error).message}`);
    }
  }

  const mongodbUri = memory ? memory.uri : mongoMode === "given" ? options.mongodbUri : shared.urls.mongodb;
  const redisUrl = redisMode === "given" ? options.redisUrl : shared.urls.redis;
  if (mongodbUri === undefined) throw new ServiceError("no MongoDB URI after starting services (bug)");
  const owns = {
    mongodb: memory !== undefined || shared.owned.some((o) => o.kind === "mongodb"),
    redis: shared.owned.some((o) => o.kind === "redis"),
  };
  let stopping: Promise<void> | undefined;
  return {
    mongodbUri,
    redisUrl,
    owned: owns.mongodb || owns.redis,
    owns,
    stop: () => {
      stopping ??= (async () => {
        await memory?.stop();
        await stopOwned(home, shared.owned, detached);
      })();
      return stopping;
    },
  };
}

/**
 * Stops the embedded services recorded in `$home/services.json` (`coco services stop`), whoever started
 * them, and removes the file. Resolves to false when none was running.
 */
export async function stopServices(home: string): Promise<boolean> {
  const dir = resolve(home);
  const file = readServicesFile(dir);
  if (!file) return false;
  const lock = await HomeLock.acquire(dir);
  try {
    const current = readServicesFile(dir) ?? {};
    let stopped = false;
    for (const kind of ["mongodb", "redis"] as const) {
      const url = current[kind];
      const pid = current.processes?.[kind]?.pid;
      // Only a process whose URL still answers is ours to stop: a dead service's pid may belong to another now.
      if (url === undefined || pid === undefined || !(await answers(kind, url))) continue;
      await stopPid(pid);
      untrackOwned(pid);
      stopped = true;
    }
    writeServicesFile(dir, {});
    return stopped;
  } finally {
    lock.release();
  }
}

/** What the command line of each service process contains. */
const SERVICE_MARKER: Record<ServiceName, string> = { mongodb: "mongo/main", redis: "redis-server" };

type MongoMode = "given" | "embedded" | "memory";

function mongoModeOf(uri: string): MongoMode {
  const value = uri.trim();
  if (value === "embedded") return "embedded";
  if (value === "embedded:memory") return "memory";
  if (/^mongodb(\+srv)?:\/\//.test(value)) return "given";
  throw new ServiceError(
    `mongodb.uri must be a mongodb:// URI, "embedded" or "embedded:memory", got "${redactUri(value)}" (CORE4_MONGODB_URI)`,
  );
}

async function checkGiven(kind: ServiceName, url: string): Promise<void> {
  const result = kind === "mongodb" ? await pingMongo(url, 5_000) : await pingRedis(url, 5_000);
  if (result.ok) return;
  const name = kind === "mongodb" ? "MongoDB" : "Redis";
  const variable = kind === "mongodb" ? "CORE4_MONGODB_URI" : "CORE4_REDIS_URL";
  throw new ServiceError(
    `${name} at ${redactUri(url)} does not answer (${result.reason}); check ${variable}`,
  );
}

/** Reuses, adopts or starts the shared services of a home, under its lock. */
async function ensureShared(
  home: string,
  wanted: readonly ServiceName[],
  detached: boolean,
): Promise<{ urls: Partial<Record<ServiceName, string>>; owned: Owned[] }> {
  mkdirSync(home, { recursive: true });
  const lock = await HomeLock.acquire(home);
  const started: LaunchedService[] = [];
  try {
    const file: ServicesFile = readServicesFile(home) ?? {};
    const processes = { ...file.processes };
    const urls: Partial<Record<ServiceName, string>> = {};
    const owned: Owned[] = [];
    for (const kind of wanted) {
      const url = file[kind];
      const recorded = processes[kind];
      if (url !== undefined && (await answers(kind, url))) {
        urls[kind] = url;
        // The owner died without stopping it (kill -9): take it over, so that someone stops it.
        if (recorded?.owner != null && !isAlive(recorded.owner) && isAlive(recorded.pid)) {
          processes[kind] = { ...recorded, owner: detached ? null : process.pid };
          if (!detached) owned.push({ kind, pid: recorded.pid });
        }
        continue;
      }
      // Missing or stale. A recorded process that lives on without answering (hung, stopped) would share the
      // data folder with its replacement: end it first, if the pid still is that service.
      if (recorded && isAlive(recorded.pid) && commandLineContains(recorded.pid, SERVICE_MARKER[kind])) {
        await stopPid(recorded.pid, 2_000);
      }
      const service = kind === "mongodb" ? await launchMongo({ home }) : await launchRedis({ home });
      started.push(service);
      urls[kind] = service.url;
      processes[kind] = {
        pid: service.pid,
        owner: detached ? null : process.pid,
        started: new Date().toISOString(),
      };
      owned.push({ kind, pid: service.pid, child: service.child });
    }
    writeServicesFile(home, { ...file, ...urls, processes });
    for (const o of owned) if (!detached) trackOwned(o.pid, o.child);
    return { urls, owned };
  } catch (error) {
    // Leave nothing half-started behind.
    await Promise.all(started.map((s) => stopChild(s.child, 5_000)));
    throw error;
  } finally {
    lock.release();
  }
}

/** Stops what this process owns and removes it from services.json, unless it was started to outlive us. */
async function stopOwned(home: string, owned: readonly Owned[], detached: boolean): Promise<void> {
  if (detached || owned.length === 0) return;
  let lock: HomeLock | undefined;
  try {
    lock = await HomeLock.acquire(home, { timeoutMs: 10_000 });
  } catch {
    // Stop anyway: the file is checked against live services by the next process.
  }
  try {
    const file = readServicesFile(home);
    if (file) {
      const processes = { ...file.processes };
      const next: ServicesFile = { ...file, processes };
      for (const o of owned) {
        // Only forget entries that are still ours (another process may have replaced a stale one).
        if (processes[o.kind]?.pid === o.pid && processes[o.kind]?.owner === process.pid) {
          delete processes[o.kind];
          delete next[o.kind];
        }
      }
      writeServicesFile(home, next);
    }
    await Promise.all(owned.map((o) => (o.child ? stopChild(o.child) : stopPid(o.pid))));
    for (const o of owned) untrackOwned(o.pid);
  } finally {
    lock?.release();
  }
}
