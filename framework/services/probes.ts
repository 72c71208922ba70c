import { connect } from "node:net";
import { MongoClient } from "mongodb";
import { connectRedis, type RedisClient, redisServes } from "../queue/redis-connection.js";

/** Outcome of a probe: whether the service answered, and why not. */
export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** True when something accepts TCP connections at host:port (a quick first check before a real ping). */
export function tcpAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Host and port of a URL, when it has them. */
export function hostPort(url: string): { host: string; port: number } | undefined {
  try {
    const parsed = new URL(url);
    const port = Number.parseInt(parsed.port, 10);
    if (!parsed.hostname || !Number.isInteger(port)) return undefined;
    return { host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"), port };
  } catch {
    return undefined;
  }
}

/** Runs `ping` against a MongoDB URI with the official driver; gives up after `timeoutMs` (a hung server). */
export function pingMongo(uri: string, timeoutMs = 3_000): Promise<ProbeResult> {
  return bounded(mongoPing(uri, timeoutMs), timeoutMs);
}

/** Runs `PING` against a Redis URL (auth, TLS and database from the URL); gives up after `timeoutMs`. */
export function pingRedis(url: string, timeoutMs = 3_000): Promise<ProbeResult> {
  return bounded(redisPing(url, timeoutMs), timeoutMs);
}

async function mongoPing(uri: string, timeoutMs: number): Promise<ProbeResult> {
  let client: MongoClient | undefined;
  try {
    // Timeouts written in the URI win over ours.
    const own = /[?&]serverSelectionTimeoutMS=/i.test(uri) ? {} : { serverSelectionTimeoutMS: timeoutMs };
    client = new MongoClient(uri, { connectTimeoutMS: timeoutMs, socketTimeoutMS: timeoutMs, ...own });
    await client.db("admin").command({ ping: 1 });
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: reasonOf(error, uri) };
  } finally {
    await client?.close().catch(() => undefined);
  }
}

async function redisPing(url: string, timeoutMs: number): Promise<ProbeResult> {
  let client: RedisClient | undefined;
  let lastError: unknown;
  try {
    client = connectRedis(
      url,
      {
        lazyConnect: true,
        connectTimeout: timeoutMs,
        commandTimeout: timeoutMs,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      },
      {
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: () => null,
        slotsRefreshTimeout: timeoutMs,
      },
    );
    // Without a listener, ioredis reports connection errors as unhandled.
    client.on("error", (error: unknown) => {
      lastError = error;
    });
    await client.connect();
    // A cluster: all slots served (cluster_state:ok), not merely one node answering.
    return await redisServes(client);
  } catch (error) {
    return { ok: false, reason: reasonOf(lastError ?? error, url) };
  } finally {
    client?.disconnect();
  }
}

/** True when a recorded embedded service at this URL answers. */
export async function answers(kind: "mongodb" | "redis", url: string): Promise<boolean> {
  const address = hostPort(url);
  // A refused connection fails at once; the driver's server selection would wait for its timeout.
  if (address && !(await tcpAnswers(address.host, address.port))) return false;
  const result = kind === "mongodb" ? await pingMongo(url) : await pingRedis(url);
  return result.ok;
}

function reasonOf(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error);
  // Driver messages may quote the URL; never let a password through.
  return (message.split("\n")[0] ?? "").replaceAll(url, "<url>") || "no answer";
}

/** The probe's result, or a failure when it has not answered within `timeoutMs` (plus a grace for cleanup). */
async function bounded(probe: Promise<ProbeResult>, timeoutMs: number): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs + 500,
    );
  });
  try {
    return await Promise.race([probe, late]);
  } finally {
    clearTimeout(timer);
  }
}
