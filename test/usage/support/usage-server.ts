import type { Db } from "mongodb";
import { definePlugin } from "../../../framework/plugin.js";
import { usageConfigSchema } from "../../../plugins/usage/config.js";
import { usageRoutes } from "../../../plugins/usage/routes.js";
import { ADMIN_PASSWORD, startTestServer, type TestServer } from "../../server/support/test-server.js";
import { testMongoClient, uniqueName } from "../../support/services.js";

/** The usage plugin's config and routes (the job lives in the `core4ts` surface, not needed to serve). */
export const usageRoutesPlugin = definePlugin({
  name: "usage",
  config: usageConfigSchema,
  routes: usageRoutes,
});

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
  /** The underlying test server (runtime, roles, login). */
  readonly server: TestServer;
  /** Config reference of the condensed target (`<db>/login`). */
  readonly loginRef: string;
}

/** Starts the server (closed after the test file). */
export async function startUsageServer(
  usage: Record<string, unknown> = {},
  serverConfig: Record<string, unknown> = {},
): Promise<UsageServer> {
  const usageDatabase = uniqueName("usage");
  const server = await startTestServer({
    plugins: [usageRoutesPlugin],
    sections: { usage: usageConfigSchema },
    config: { usage: { login: `${usageDatabase}/login`, ...usage } },
    server: serverConfig,
  });
  const client = await testMongoClient();
  // One password login (its event is the admin's, never counted); then a token, so requests skip scrypt.
  const auth = `Bearer ${await server.login("admin", ADMIN_PASSWORD)}`;
  return {
    url: server.url,
    sysDb: server.sysDb,
    usageDb: client.db(usageDatabase),
    fetch: (path, init = {}) =>
      server.fetch(path, {
        ...init,
        headers: { authorization: auth, ...(init.headers as Record<string, string> | undefined) },
      }),
    fetchAnonymous: (path, init) => server.fetch(path, init),
    server,
    loginRef: `${usageDatabase}/login`,
  };
}
