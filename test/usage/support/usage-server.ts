import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "mongodb";
import { afterAll } from "vitest";
import { loadConfig } from "../../../framework/config/index.js";
import { createLogger, MongoLogSink } from "../../../framework/log/index.js";
import { MongoRegistry } from "../../../framework/mongo/index.js";
import { definePlugin } from "../../../framework/plugin.js";
import { usageConfigSchema } from "../../../plugins/usage/config.js";
import { usageRoutes } from "../../../plugins/usage/routes.js";
import { type RunningServer, startServer } from "../../../server/index.js";
import { testMongoClient, testMongoUri, uniqueName } from "../../support/services.js";

/** The usage plugin's config and routes (the job lives in the `core4ts` surface, not needed to serve). */
export const usageRoutesPlugin = definePlugin({
  name: "usage",
  config: usageConfigSchema,
  routes: usageRoutes,
});

export const ADMIN_PASSWORD = "admin-password-123";

/** A server with the usage routes on its own databases. */
export interface UsageServer {
  readonly url: string;
  /** Database of sys.* (source log, cookie). */
  readonly sysDb: Db;
  /** Database of the condensed target (`login`). */
  readonly usageDb: Db;
  /** `fetch` relative to the server, authenticated as admin. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** `fetch` without credentials. */
  fetchAnonymous(path: string, init?: RequestInit): Promise<Response>;
}

/** Starts the server (closed after the test file). */
export async function startUsageServer(usage: Record<string, unknown> = {}): Promise<UsageServer> {
  const uri = await testMongoUri();
  const sysDatabase = uniqueName("usrv");
  const usageDatabase = `${sysDatabase}_usage`;
  const home = mkdtempSync(join(tmpdir(), "core4ts-usage-test-"));
  const config = loadConfig({
    sections: { usage: usageConfigSchema },
    env: {},
    overrides: {
      home,
      mongodb: { uri, sysDatabase },
      log: { level: "silent", mongoLevel: "info" },
      server: { adminPassword: ADMIN_PASSWORD },
      usage: { login: `${usageDatabase}/login`, ...usage },
    },
  });
  const mongo = new MongoRegistry({ uri, sysDatabase });
  const sink = new MongoLogSink({ collection: () => mongo.sys("log"), flushIntervalMs: 20 });
  const logger = createLogger({ level: "silent", mongoLevel: "info", sink });
  const runtime = { config, mongo, logger, redisUrl: undefined };
  const running: RunningServer = await startServer(runtime, {
    port: 0,
    plugins: [usageRoutesPlugin],
    loginThrottle: { baseDelayMs: 1, maxNameDelayMs: 5, maxAddressDelayMs: 5 },
    env: { NODE_ENV: "test" },
  });
  const client = await testMongoClient();
  const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`;
  afterAll(async () => {
    await running.close();
    await logger.flush();
    await sink.close();
    await mongo.close();
    rmSync(home, { recursive: true, force: true });
  });
  return {
    url: running.url,
    sysDb: client.db(sysDatabase),
    usageDb: client.db(usageDatabase),
    fetch: (path, init = {}) =>
      fetch(`${running.url}${path}`, {
        redirect: "manual",
        ...init,
        headers: { authorization: auth, ...(init.headers as Record<string, string> | undefined) },
      }),
    fetchAnonymous: (path, init) => fetch(`${running.url}${path}`, { redirect: "manual", ...init }),
  };
}
