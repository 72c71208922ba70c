import { afterAll } from "vitest";
import type { ConfigSectionSchema } from "../../../framework/config/index.js";
import type { Plugin } from "../../../framework/plugin.js";
import { JobQueue, startWorkerPool, type WorkerPool } from "../../../framework/queue/index.js";
import { ADMIN_PASSWORD, startTestServer, type TestServer } from "../../server/support/test-server.js";

/** A test server with the jobs API, and a worker pool on the same Redis prefix and sys database. */
export interface ConsoleServer {
  readonly server: TestServer;
  /** A queue facade of its own (an operator's process). */
  readonly queue: JobQueue;
  /** The worker pool; absent with `worker: false`. */
  readonly pool: WorkerPool | undefined;
  /** `fetch` as admin (Basic auth), JSON unless told otherwise. */
  admin(path: string, init?: RequestInit): Promise<Response>;
}

/** Options of {@link startConsoleServer}. */
export interface ConsoleServerOptions {
  plugins: Plugin<unknown, unknown>[];
  sections?: Record<string, ConfigSectionSchema>;
  config?: Record<string, unknown>;
  server?: Record<string, unknown>;
  /** Start a worker pool (default true). */
  worker?: boolean;
}

/** Starts it all; closed after the file. */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const server = await startTestServer({
    plugins: options.plugins,
    sections: options.sections,
    config: options.config,
    server: options.server,
    queue: (runtime) => new JobQueue(runtime),
  });
  const pool =
    options.worker === false
      ? undefined
      : await startWorkerPool(server.runtime, {
          concurrency: 2,
          journalRecoveryInterval: 0,
          lockDuration: 5_000,
          stalledInterval: 2_000,
        });
  const queue = new JobQueue(server.runtime);
  afterAll(async () => {
    await pool?.close();
    await queue.close();
  });
  const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`;
  return {
    server,
    queue,
    pool,
    admin: (path, init = {}) =>
      server.fetch(path, {
        ...init,
        headers: {
          authorization: auth,
          accept: "application/json",
          ...(init.headers as Record<string, string> | undefined),
        },
      }),
  };
}
