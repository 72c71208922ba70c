import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import type { JobLogger } from "../job/index.js";
import { type ErrorEmitter, RedisOutage } from "./redis-outage.js";
import { CLUSTER_FAILOVER, parseRedisUrl } from "./redis-url.js";

/** A connection to one Redis server or to a Redis Cluster (BullMQ takes either). */
export type RedisClient = Redis | Cluster;

/**
 * An ioredis connection as BullMQ workers need it: `maxRetriesPerRequest: null`, so that blocking commands
 * and commands issued during a reconnect wait instead of failing. A `redis+cluster://` URL gives a cluster
 * client with failover settings that wait for a replica's promotion ({@link CLUSTER_FAILOVER}). Connection
 * errors (ioredis reconnects by itself) are logged once per outage by {@link RedisOutage}, with the URL's
 * password hidden.
 */
export function createRedis(url: string | undefined, name: string, logger: JobLogger): RedisClient {
  if (!url) {
    throw new Error("no Redis URL: set CORE4_REDIS_URL or let the runtime start redis-server (needRedis)");
  }
  const redis = connectRedis(url, { maxRetriesPerRequest: null, connectionName: name });
  RedisOutage.of(logger, url).watchConnection(redis, name);
  return redis;
}

/**
 * A client of a Redis URL (one server or a cluster) with extra options for every connection; the caller
 * adds an `error` listener.
 */
export function connectRedis(
  url: string,
  options: RedisOptions = {},
  clusterOptions: Omit<ClusterOptions, "redisOptions"> = {},
): RedisClient {
  const target = parseRedisUrl(url);
  if (target.kind === "single") return new Redis(target.url, options);
  return new Cluster(target.nodes, {
    ...CLUSTER_FAILOVER,
    ...clusterOptions,
    redisOptions: { ...target.redisOptions, ...options },
  });
}

/**
 * Sends the `error` events of a BullMQ Queue, Worker or QueueEvents to the outage log of `url`. Without a
 * listener BullMQ prints every reconnect error to stderr as a multi-line dump.
 */
export function watchRedisErrors(
  emitter: ErrorEmitter,
  source: string,
  logger: JobLogger,
  url: string | undefined,
): void {
  RedisOutage.of(logger, url).watch(emitter, source);
}

/**
 * Whether a connected client's Redis serves requests: PING for one server; for a cluster, PING through the
 * client and `CLUSTER INFO` of a node saying `cluster_state:ok` (all slots served), not one node's answer.
 */
export async function redisServes(
  client: RedisClient,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const pong = await client.ping();
  if (pong !== "PONG") return { ok: false, reason: `unexpected reply ${pong}` };
  if (!(client instanceof Cluster)) return { ok: true };
  const info = String(await client.cluster("INFO"));
  const state = /cluster_state:(\w+)/.exec(info)?.[1];
  return state === "ok" ? { ok: true } : { ok: false, reason: `cluster_state:${state ?? "unknown"}` };
}
