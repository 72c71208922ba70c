import { JobQueue, type Runtime, startScheduler, startWorkerPool } from "core4ts";
import { type RunningServer, startServer } from "core4ts/server";
import { ensureDevUser } from "../cli/dev-user.js";
import { runWithRuntime, untilSignal } from "../cli/run-with-runtime.js";

/** What `dev`-like commands run in one process. */
export interface ProcessParts {
  serve?: boolean;
  worker?: boolean;
  scheduler?: boolean;
  concurrency?: number;
  /** HTTP port (default config `server.port`). */
  port?: number;
}

/** Running parts of one process, closed in reverse order of start. */
export interface RunningParts {
  server?: RunningServer;
  queue: JobQueue;
  close(): Promise<void>;
}

/** Starts the requested parts on a runtime. */
export async function startParts(runtime: Runtime, parts: ProcessParts): Promise<RunningParts> {
  const closers: (() => Promise<void>)[] = [];
  const queue = new JobQueue(runtime);
  closers.push(() => queue.close());
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) {
      await closer().catch((error: unknown) => {
        runtime.logger.error("shutdown step failed", { error });
      });
    }
  };
  try {
    let server: RunningServer | undefined;
    if (parts.worker) {
      const pool = await startWorkerPool(runtime, { concurrency: parts.concurrency });
      closers.push(() => pool.close());
    }
    if (parts.scheduler) {
      const scheduler = await startScheduler(runtime);
      closers.push(() => scheduler.close());
    }
    if (parts.serve) {
      server = await startServer(runtime, {
        plugins: runtime.plugins,
        queue,
        port: parts.port,
        trustProxy: runtime.config.core.server.trustProxy,
      });
      closers.push(() => (server as RunningServer).close());
    }
    return { server, queue, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `coco serve|worker|scheduler|dev`: runs the parts until SIGINT/SIGTERM, then shuts down gracefully. */
export async function runParts(name: string, parts: ProcessParts): Promise<void> {
  await runWithRuntime({ name: `coco.${name}` }, async (runtime) => {
    const running = await startParts(runtime, parts);
    if (running.server) process.stderr.write(`coco ${name}: listening on ${running.server.url}\n`);
    const dev = name === "dev" && running.server ? await ensureDevUser(runtime) : undefined;
    if (dev && running.server) {
      process.stderr.write(
        `coco ${name}: log in at ${running.server.url}/core4/login as ${dev.name} / ${dev.password}\n`,
      );
    }
    const signal = await untilSignal();
    runtime.logger.info(`coco ${name}: ${signal} received, shutting down`);
    await running.close();
  });
}
