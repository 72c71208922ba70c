import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
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
  /** Resolves once every live node reports `cluster_state:ok` (after a failover, say). */
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
      // CLUSTER NODES lines: `id host:port@bus flags master ping pong epoch state slot-range…`.
      const lines = (await cli(asked.port, "CLUSTER", "NODES")).split("\n");
      for (const line of lines) {
        const fields = line.split(" ");
        if (!fields[2]?.includes("master") || fields[2].includes("fail")) continue;
        const port = Number(fields[1]?.split("@")[0]?.split(":")[1]);
        for (const range of fields.slice(8)) {
          const [from, to] = range.split("-").map(Number);
          if (from !== undefined && slot >= from && slot <= (to ?? from)) {
            const node = nodes.find((n) => n.port === port);
            if (node) return node;
          }
        }
      }
      throw new Error(`no master found for slot ${slot}`);
    },
    async waitUntilOk(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(
          alive().map((n) => cli(n.port, "CLUSTER", "INFO").catch(() => "cluster_state:unknown")),
        );
        if (states.every((s) => s.includes("cluster_state:ok"))) return;
        if (Date.now() > deadline) throw new Error("the Redis Cluster did not reach cluster_state:ok");
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
  try {
    await cluster.waitUntilOk();
  } catch (error) {
    await stop();
    throw error;
  }
  return cluster;
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
