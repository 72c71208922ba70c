import type { ClusterNode, ClusterOptions, RedisOptions } from "ioredis";

/** A Redis URL as core4ts understands it: one server, or the seed nodes of a Redis Cluster. */
export type RedisTarget =
  | { kind: "single"; url: string }
  | { kind: "cluster"; nodes: ClusterNode[]; redisOptions: RedisOptions };

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\/(.*)$/i;

/**
 * Failover settings of the cluster client (docs/contracts.md "Scale-out"): ioredis' defaults (16 redirections
 * 100 ms apart) give up before a replica is promoted (4–5 s) and made BullMQ run the active jobs twice;
 * 40 redirections 500 ms apart wait out a failover of up to 20 s.
 */
export const CLUSTER_FAILOVER: Readonly<
  Pick<
    ClusterOptions,
    "retryDelayOnFailover" | "retryDelayOnClusterDown" | "retryDelayOnTryAgain" | "maxRedirections"
  >
> = Object.freeze({
  retryDelayOnFailover: 500,
  retryDelayOnClusterDown: 500,
  retryDelayOnTryAgain: 500,
  maxRedirections: 40,
});

/** Whether a URL names a Redis Cluster (`redis+cluster://` or `rediss+cluster://`). */
export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEME.test(url.trim());
}

/**
 * Parses `CORE4_REDIS_URL`: `redis://…` / `rediss://…` as ioredis reads them, and
 * `redis+cluster://[user:pw@]host1:port1,host2:port2[/?…]` (or `rediss+cluster://` for TLS) as seed nodes of
 * a cluster, the credentials applying to every node. Throws an error naming the variable for a bad URL.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const value = url.trim();
  const match = CLUSTER_SCHEME.exec(value);
  if (!match) return { kind: "single", url: value };
  const tls = (match[1] as string).toLowerCase() === "rediss";
  let rest = match[2] as string;
  const end = rest.search(/[/?#]/);
  if (end >= 0) rest = rest.slice(0, end);
  const at = rest.lastIndexOf("@");
  const userInfo = at >= 0 ? rest.slice(0, at) : "";
  const hosts = at >= 0 ? rest.slice(at + 1) : rest;
  const nodes: ClusterNode[] = hosts.split(",").map((hostPort) => parseNode(hostPort.trim(), url));
  if (nodes.length === 0) throw badUrl(url, "no host:port");
  const redisOptions: RedisOptions = {};
  if (userInfo) {
    const colon = userInfo.indexOf(":");
    const user = decodeURIComponent(colon >= 0 ? userInfo.slice(0, colon) : userInfo);
    const password = colon >= 0 ? decodeURIComponent(userInfo.slice(colon + 1)) : "";
    if (colon >= 0) {
      if (user) redisOptions.username = user;
      redisOptions.password = password;
    } else {
      redisOptions.password = user;
    }
  }
  if (tls) redisOptions.tls = {};
  return { kind: "cluster", nodes, redisOptions };
}

function parseNode(hostPort: string, url: string): ClusterNode {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(hostPort);
  const plain = /^([^:[\]]+):(\d+)$/.exec(hostPort);
  const found = bracketed ?? plain;
  if (!found) throw badUrl(url, `"${hostPort}" is not host:port`);
  const port = Number.parseInt(found[2] as string, 10);
  if (port < 1 || port > 65_535) throw badUrl(url, `port ${port} is out of range`);
  return { host: found[1] as string, port };
}

function badUrl(url: string, why: string): Error {
  const shown = url.replace(/\/\/[^@/]*@/, "//***@");
  return new Error(
    `CORE4_REDIS_URL ${shown} is not a valid Redis Cluster URL (${why}): use redis+cluster://[user:password@]host1:port1,host2:port2`,
  );
}
