import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { connectRedis } from "../../framework/queue/redis-connection.js";
import { freePort } from "../../framework/services/process-tools.js";

const run = promisify(execFile);

/** One redis-server of a test cluster. */
export interface ClusterNodeProcess {
  port: number;
  pid: number;
  child: ChildProcess;
}

/** A Redis Cluster of real redis-server processes on loopback, for tests and benchmarks. */
export interface RedisClusterProcess {
  /** `redis+cluster://127.0.0.1:p1,…` naming every node as a seed. */
  url: string;
  nodes: ClusterNodeProcess[];
  /** The node that is master of the slot of `key` now (asked from a live node). */
  masterOf(key: string): Promise<ClusterNodeProcess>;
  /**
   * Resolves once every live node reports `cluster_state:ok` and all of them agree which node serves which
   * slots (after a failover, say): `cluster_state:ok` alone is each node's own view, and a node can say it
   * while another still routes clients to a master that is gone.
   */
  waitUntilOk(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the data. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** Masters (each with `replicas` replicas). Default 3. */
  masters?: number;
  /** Replicas per master. Default 1. */
  replicas?: number;
  /**
   * `cluster-node-timeout` in ms: how long a master may be silent before its replica takes over. Default
   * 2,000 (redis' own default, 15,000, would make a failover test wait half a minute).
   */
  nodeTimeoutMs?: number;
}

/**
 * Starts a Redis Cluster: `masters × (1 + replicas)` redis-servers with `--cluster-enabled yes` on free
 * loopback ports (AOF on, as in production), joined with `redis-cli --cluster create … --cluster-replicas`,
 * and waits for `cluster_state:ok` on every node.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterProcess> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 1;
  const dir = mkdtempSync(join(tmpdir(), "core4ts-test-cluster-"));
  const nodes: ClusterNodeProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      nodes.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGKILL");
        await once(child, "exit");
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await freePort();
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
      args.push("--appendonly", "yes", "--appendfilename", `appendonly-${port}.aof`);
      args.push("--appenddirname", `aof-${port}`);
      args.push("--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`);
      args.push("--cluster-node-timeout", String(options.nodeTimeoutMs ?? 2_000));
      args.push("--maxmemory-policy", "noeviction");
      const child = spawn("redis-server", args, { stdio: "ignore" });
      await new Promise<void>((resolve, reject) => {
        child.once("error", (error) => reject(new Error(`cannot start redis-server: ${error.message}`)));
        child.once("spawn", () => resolve());
      });
      nodes.push({ port, pid: child.pid as number, child });
    }
    for (const node of nodes) await waitForPing(node.port);
    await run("redis-cli", [
      "--cluster",
      "create",
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      "--cluster-replicas",
      String(replicas),
      "--cluster-yes",
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  const alive = (): ClusterNodeProcess[] =>
    nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  const cluster: RedisClusterProcess = {
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(",")}`,
    nodes,
    async masterOf(key) {
      const asked = alive()[0] as ClusterNodeProcess;
      const slot = Number((await cli(asked.port, "CLUSTER", "KEYSLOT", key)).trim());
      for (const master of await liveMasters(asked.port)) {
        for (const range of master.ranges) {
          const [from, to] = range.split("-").map(Number);
          if (from !== undefined && slot >= from && slot <= (to ?? from)) {
            const node = nodes.find((n) => n.port === master.port);
            if (node) return node;
          }
        }
      }
      throw new Error(`no master found for slot ${slot}`);
    },
    async waitUntilOk(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const live = alive();
        const states = await Promise.all(
          live.map((n) => cli(n.port, "CLUSTER", "INFO").catch(() => "cluster_state:unknown")),
        );
        const maps = await Promise.all(live.map((n) => slotOwners(n.port).catch(() => "unknown")));
        const agreed = maps.every((m) => m !== "unknown" && m === maps[0]);
        if (states.every((s) => s.includes("cluster_state:ok")) && agreed) return;
        if (Date.now() > deadline) {
          throw new Error(
            `the Redis Cluster did not reach cluster_state:ok with one slot map on every node\n${await clusterNodes(live)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
  try {
    await cluster.waitUntilOk();
    await answersThroughUrl(cluster);
  } catch (error) {
    await stop();
    throw error;
  }
  return cluster;
}

/**
 * Writes and reads a key in every master's slots through a cluster client of the URL, as the code under
 * test connects; throws with every node's `CLUSTER NODES` if that does not work within 20 s, so a cluster
 * that looks healthy to redis-cli but not to clients says why instead of timing out every test.
 */
async function answersThroughUrl(cluster: RedisClusterProcess): Promise<void> {
  const client = connectRedis(cluster.url, { maxRetriesPerRequest: 3, connectTimeout: 5_000 });
  let lastError = "no reply";
  client.on("error", (error: Error) => {
    lastError = error.message;
  });
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        // Keys in the slots of three masters ("{a}" 15495, "{b}" 3300, "{c}" 7365 of 16384).
        for (const tag of ["a", "b", "c"]) {
          await client.set(`{${tag}}:cluster-check`, tag, "PX", 10_000);
          if ((await client.get(`{${tag}}:cluster-check`)) !== tag)
            throw new Error(`{${tag}} read back wrong`);
        }
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the Redis Cluster does not answer a client through ${cluster.url}: ${lastError}\n${await clusterNodes(cluster.nodes)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.disconnect();
  }
}

/** The masters one node does not consider failed, with their slot ranges, as its `CLUSTER NODES` says. */
async function liveMasters(port: number): Promise<{ id: string; port: number; ranges: string[] }[]> {
  const masters: { id: string; port: number; ranges: string[] }[] = [];
  // Lines: `id host:port@bus flags master ping pong epoch state slot-range…`.
  for (const line of (await cli(port, "CLUSTER", "NODES")).split("\n")) {
    const fields = line.trim().split(" ");
    if (!fields[2]?.includes("master") || fields[2].includes("fail")) continue;
    const address = Number(fields[1]?.split("@")[0]?.split(":")[1]);
    masters.push({ id: fields[0] as string, port: address, ranges: fields.slice(8) });
  }
  return masters;
}

/** Which node id serves which slot range, as one node sees it (sorted, to compare nodes' views). */
async function slotOwners(port: number): Promise<string> {
  const masters = await liveMasters(port);
  return masters
    .flatMap((m) => m.ranges.map((range) => `${range}=${m.id}`))
    .sort()
    .join(",");
}

/** Every node's `CLUSTER NODES`, for an error message. */
async function clusterNodes(nodes: readonly ClusterNodeProcess[]): Promise<string> {
  const views = await Promise.all(
    nodes.map(async (n) => {
      const view = await cli(n.port, "CLUSTER", "NODES").catch((error: Error) => error.message);
      return `CLUSTER NODES of 127.0.0.1:${n.port}:\n${view.trim()}`;
    }),
  );
  return views.join("\n");
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), ...args], { timeout: 5_000 });
  return stdout;
}

async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reply = await cli(port, "PING").catch(() => "");
    if (reply.trim() === "PONG") return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
