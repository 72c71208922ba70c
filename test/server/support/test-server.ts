import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "mongodb";
import { afterAll } from "vitest";
import { type ConfigSectionSchema, loadConfig } from "../../../framework/config/index.js";
import { createLogger, type Logger, MongoLogSink } from "../../../framework/log/index.js";
import { MongoRegistry } from "../../../framework/mongo/index.js";
import type { Plugin } from "../../../framework/plugin.js";
import {
  type JobsApi,
  type LoginThrottleOptions,
  RoleStore,
  type RunningServer,
  type ServerRuntime,
  startServer,
} from "../../../server/index.js";
import { testMongoClient, testMongoUri, testRedisUrl, uniqueName } from "../../support/services.js";

/** The runtime a test server uses: what the server and the job queue need. */
export type TestRuntime = ServerRuntime & {
  readonly logger: Logger;
  readonly plugins: readonly Plugin<unknown, unknown>[];
  readonly redisUrl: string;
};

/** A running API server on port 0 with its own sys database, and helpers to talk to it. */
export interface TestServer {
  readonly url: string;
  readonly runtime: TestRuntime;
  readonly roles: RoleStore;
  /** The sys database, through a separate client, for assertions. */
  readonly sysDb: Db;
  /** Waits until every log record written so far is in sys.log. */
  flushLogs(): Promise<void>;
  /** `fetch` relative to the server. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Logs in over the API and returns the token. */
  login(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  plugins?: readonly Plugin<unknown, unknown>[];
  /** Builds the job queue behind the jobs API from the server's runtime. */
  queue?: (runtime: TestRuntime) => JobsApi & { close(): Promise<void> };
  server?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Plugin config sections to register (`{ usage: usageConfigSchema }`). */
  sections?: Record<string, ConfigSectionSchema>;
  /** Further config values (plugin sections), applied with the test's own. */
  config?: Record<string, unknown>;
  /** Redis key prefix (default: one of its own); servers given the same one share queues and login throttle. */
  redisPrefix?: string;
  /** Login slow-down tuning (default: 1 ms steps, so tests are not slowed). */
  loginThrottle?: LoginThrottleOptions;
  /** How long a token holder's role is reused (default 0 here: read on every request). */
  roleCacheMs?: number;
}

export const ADMIN_PASSWORD = "admin-password-123";

/** Starts a server against the test MongoDB and Redis; closed after the file. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const uri = await testMongoUri();
  const sysDatabase = uniqueName("srv");
  const home = mkdtempSync(join(tmpdir(), "core4ts-server-test-"));
  const config = loadConfig({
    env: {},
    sections: options.sections,
    overrides: {
      ...options.config,
      home,
      mongodb: { uri, sysDatabase },
      redis: { url: testRedisUrl(), prefix: options.redisPrefix ?? uniqueName("q") },
      log: { level: "silent", mongoLevel: "debug" },
      server: { adminPassword: ADMIN_PASSWORD, ...options.server },
    },
  });
  const mongo = new MongoRegistry({ uri, sysDatabase });
  const sink = new MongoLogSink({ collection: () => mongo.sys("log"), flushIntervalMs: 20 });
  const logger = createLogger({ level: "silent", mongoLevel: "debug", sink });
  const runtime: TestRuntime = {
    config,
    mongo,
    logger,
    redisUrl: testRedisUrl(),
    plugins: options.plugins ?? [],
  };
  const queue = options.queue?.(runtime);
  const running: RunningServer = await startServer(runtime, {
    port: 0,
    plugins: options.plugins,
    queue,
    roleCacheMs: options.roleCacheMs ?? 0,
    loginThrottle: options.loginThrottle ?? { baseDelayMs: 1, maxNameDelayMs: 5, maxAddressDelayMs: 5 },
    env: options.env ?? { NODE_ENV: "test" },
  });
  const client = await testMongoClient();
  const server: TestServer = {
    url: running.url,
    runtime,
    roles: new RoleStore(mongo.sys("role")),
    sysDb: client.db(sysDatabase),
    flushLogs: () => logger.flush(),
    fetch: (path, init) => fetch(`${running.url}${path}`, { redirect: "manual", ...init }),
    async login(username, password) {
      const response = await server.fetch("/core4/api/v1/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password }),
      });
      if (response.status !== 200)
        throw new Error(`login failed: ${response.status} ${await response.text()}`);
      const body = (await response.json()) as { data: { token: string } };
      return body.data.token;
    },
    async close() {
      await running.close();
      await queue?.close();
      await logger.flush();
      await sink.close();
      await mongo.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
  afterAll(() => server.close());
  return server;
}

/** Authorization header for a bearer token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Headers of a browser navigation. */
export const BROWSER = {
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
} as const;
