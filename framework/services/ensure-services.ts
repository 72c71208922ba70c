import { randomBytes, randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { redactUri } from "../mongo/index.js";
import { EmbeddedMongoServer } from "../mongo-server/index.js";
import { HomeLock } from "./home-lock.js";
import { lockDownHome } from "./home-permissions.js";
import { type LaunchedService, launchMongo, launchRedis, REDIS_MISSING } from "./launch-service.js";
import { leave, liveUsers, released, releaseOnExit, SERVICE_MARKER } from "./owned-children.js";
import { answers, hostPort, pingMongo, pingRedis } from "./probes.js";
import { commandLineContains, findOnPath, isAlive, stopChild, stopPid } from "./process-tools.js";
import { ServiceError } from "./service-error.js";
import { ServiceWatch } from "./service-watch.js";
import { readServicesFile, writeServicesFile } from "./services-file.js";
import type {
  RunningServices,
  ServiceName,
  ServiceProcess,
  ServicesFile,
  ServicesOptions,
  ServiceUser,
} from "./types.js";

/** A service this call started or adopted. */
interface Owned {
  kind: ServiceName;
  pid: number;
}

/** What {@link ensureShared} found or started. */
interface Shared {
  urls: Partial<Record<ServiceName, string>>;
  owned: Owned[];
  /** This call's entry among the users (absent for `detached`). */
  user?: ServiceUser;
}

/**
 * Makes sure the services a process needs run, following docs/contracts.md "Embedded services":
 * - a `mongodb://` URI or a Redis URL is used as is, after checking it answers;
 * - `embedded:memory` starts a MongoDB-compatible server inside this process (not shared);
 * - `embedded` MongoDB and a missing Redis URL use the services recorded in `$home/services.json` when they
 *   answer, and otherwise start them (restarted ones on their recorded port), recording them there with
 *   generated credentials. Processes of one home share them: each call is recorded as a user, and the last
 *   user out stops the services started implicitly; `detached` ones (`coco services`) run until
 *   {@link stopServices}. While this process runs, a service that died is restarted on its recorded port, so
 *   that its clients reconnect by themselves.
 * - With `NODE_ENV=production`, embedded services are refused.
 *
 * Throws a {@link ServiceError} with one actionable line when a service cannot be reached or started.
 */
export async function ensureServices(options: ServicesOptions): Promise<RunningServices> {
  const home = resolve(options.home);
  const detached = options.detached ?? false;
  const needRedis = options.needRedis ?? true;
  const mongoMode = mongoModeOf(options.mongodbUri);
  const redisMode = options.redisUrl ? "given" : needRedis ? "embedded" : "none";
  if (options.production ?? process.env.NODE_ENV === "production") {
    refuseInProduction(mongoMode !== "given", redisMode === "embedded");
  }

  await Promise.all([
    mongoMode === "given" ? checkGiven("mongodb", options.mongodbUri) : undefined,
    redisMode === "given" && options.redisUrl ? checkGiven("redis", options.redisUrl) : undefined,
  ]);
  if (redisMode === "embedded" && !findOnPath("redis-server")) throw new ServiceError(REDIS_MISSING);

  const wanted: ServiceName[] = [];
  if (mongoMode === "embedded") wanted.push("mongodb");
  if (redisMode === "embedded") wanted.push("redis");
  const shared: Shared =
    wanted.length > 0 ? await ensureShared(home, wanted, detached) : { urls: {}, owned: [] };

  let memory: EmbeddedMongoServer | undefined;
  if (mongoMode === "memory") {
    memory = new EmbeddedMongoServer();
    try {
      await memory.start();
    } catch (error) {
      await release(home, shared.user);
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
  const interval = options.watchIntervalMs ?? 2_000;
  const watch =
    shared.user && interval > 0 ? new ServiceWatch(home, wanted, interval, reviveServices) : undefined;
  let stopping: Promise<void> | undefined;
  return {
    mongodbUri,
    redisUrl,
    owned: owns.mongodb || owns.redis,
    owns,
    stop: () => {
      stopping ??= (async () => {
        await watch?.stop();
        await memory?.stop();
        await release(home, shared.user);
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
      // Only that service's process is ours to stop: a dead service's pid may belong to another now. Its
      // command line tells (a ping may time out on a loaded machine).
      if (url === undefined || pid === undefined) continue;
      const ours = isAlive(pid) && commandLineContains(pid, SERVICE_MARKER[kind]);
      if (!ours && !(await answers(kind, url))) continue;
      await stopPid(pid);
      stopped = true;
    }
    writeServicesFile(dir, {});
    return stopped;
  } finally {
    lock.release();
  }
}

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

/** Exits the caller with the contract's message when embedded services would start in production. */
function refuseInProduction(mongodb: boolean, redis: boolean): void {
  const missing = [mongodb ? "CORE4_MONGODB_URI" : "", redis ? "CORE4_REDIS_URL" : ""].filter(Boolean);
  if (missing.length === 0) return;
  throw new ServiceError(
    `NODE_ENV=production: coco does not start embedded services (development only); set ${missing.join(" and ")}`,
  );
}

/** Reuses, adopts or starts the shared services of a home, under its lock, and records this call as a user. */
async function ensureShared(
  home: string,
  wanted: readonly ServiceName[],
  detached: boolean,
): Promise<Shared> {
  lockDownHome(home);
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
        if (recorded && detached) {
          // `coco services` makes running services permanent: no last user stops them any more.
          processes[kind] = { ...recorded, owner: null };
        } else if (recorded?.owner != null && !isAlive(recorded.owner) && isAlive(recorded.pid)) {
          // The process that started it died without stopping it (kill -9): take it over.
          processes[kind] = { ...recorded, owner: process.pid };
          owned.push({ kind, pid: recorded.pid });
        }
        continue;
      }
      const service = await relaunch(home, kind, url, recorded);
      started.push(service);
      urls[kind] = service.url;
      processes[kind] = {
        pid: service.pid,
        owner: detached ? null : process.pid,
        started: new Date().toISOString(),
      };
      owned.push({ kind, pid: service.pid });
    }
    const user: ServiceUser | undefined = detached ? undefined : { pid: process.pid, token: randomUUID() };
    const users = [...liveUsers(file), ...(user ? [user] : [])];
    writeServicesFile(home, { ...file, ...urls, processes, users });
    if (user) releaseOnExit(home, user);
    return { urls, owned, ...(user && { user }) };
  } catch (error) {
    // Leave nothing half-started behind.
    await Promise.all(started.map((s) => stopChild(s.child, 5_000)));
    throw error;
  } finally {
    lock.release();
  }
}

/**
 * Starts a service that is missing or stale, on the port and with the credentials of its recorded URL when
 * there is one (running clients then reconnect to it by themselves), else on a free port with new ones. A
 * recorded process that lives on without answering (hung, stopped) would share the data folder with its
 * replacement: it is ended first, if the pid still is that service.
 */
async function relaunch(
  home: string,
  kind: ServiceName,
  url: string | undefined,
  recorded: ServiceProcess | undefined,
): Promise<LaunchedService> {
  if (recorded && isAlive(recorded.pid) && commandLineContains(recorded.pid, SERVICE_MARKER[kind])) {
    await stopPid(recorded.pid, 2_000);
  }
  const port = url ? hostPort(url)?.port : undefined;
  const secret = (url ? passwordOf(url) : undefined) ?? randomBytes(24).toString("base64url");
  return kind === "mongodb"
    ? launchMongo({ home, ...(port && { port }), auth: { username: MONGO_USER, password: secret } })
    : launchRedis({ home, ...(port && { port }), password: secret });
}

/** The user the embedded MongoDB is started with. */
const MONGO_USER = "core4";

function passwordOf(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Restarts the recorded services among `kinds` that no longer answer, on their recorded ports (the
 * {@link ServiceWatch} of a running process). A service no longer recorded was stopped on purpose (`coco
 * services stop`, the last user out): it stays stopped.
 */
async function reviveServices(home: string, kinds: readonly ServiceName[]): Promise<void> {
  const lock = await HomeLock.acquire(home, { timeoutMs: 10_000 });
  try {
    const file = readServicesFile(home);
    if (!file) return;
    const processes = { ...file.processes };
    let changed = false;
    for (const kind of kinds) {
      const url = file[kind];
      const recorded = processes[kind];
      if (url === undefined || (await answers(kind, url))) continue;
      const service = await relaunch(home, kind, url, recorded);
      // A background service stays one; an implicit one is now ours to stop with the last user.
      processes[kind] = {
        pid: service.pid,
        owner: recorded?.owner === null ? null : process.pid,
        started: new Date().toISOString(),
      };
      file[kind] = service.url;
      changed = true;
    }
    if (changed) writeServicesFile(home, { ...file, processes });
  } finally {
    lock.release();
  }
}

/** Releases a user of the shared services; the last one out stops those started implicitly. */
async function release(home: string, user: ServiceUser | undefined): Promise<void> {
  if (!user) return;
  released(home, user);
  let lock: HomeLock | undefined;
  try {
    lock = await HomeLock.acquire(home, { timeoutMs: 10_000 });
  } catch {
    // Go on without it: the file is checked against live services by the next process.
  }
  try {
    const file = readServicesFile(home);
    if (!file) return;
    const after = leave(file, (u) => u.token === user.token);
    await Promise.all(after.stop.map((pid) => stopPid(pid)));
    writeServicesFile(home, after.file);
  } finally {
    lock?.release();
  }
}
