import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ensureAdmin } from "../auth/ensure-admin.js";
import { type CreateAppOptions, createApp } from "./create-app.js";

/** Options of {@link startServer}: the app's, plus where to listen. */
export interface StartServerOptions extends Omit<CreateAppOptions, "runtime"> {
  /** Port (config `server.port` / CORE4_PORT by default); 0 picks a free one. */
  port?: number;
  /** Interface (config `server.host` by default). */
  host?: string;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:5001`. */
  readonly url: string;
  /** Stops accepting connections, ends idle keep-alive ones, waits for in-flight requests. */
  close(): Promise<void>;
}

/**
 * Creates the app and listens. Ensures the `admin` role when `server.adminPassword` (CORE4_ADMIN_PASSWORD)
 * is set. Closing the server does not close the runtime.
 */
export async function startServer(
  runtime: CreateAppOptions["runtime"],
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const app = createApp({ ...options, runtime });
  await ensureAdmin(runtime);
  const config = runtime.config.core.server;
  // Slow clients (slowloris) are cut off: headers within headersTimeout, the whole request within
  // receiveTimeout, checked every second (Node's default check runs every 30 s). The handler's own time
  // limit is the app's middleware (server.requestTimeout).
  const server = createServer(
    {
      requestTimeout: config.receiveTimeout,
      headersTimeout: Math.min(config.headersTimeout, config.receiveTimeout),
      connectionsCheckingInterval: 1_000,
    },
    app.callback(),
  );
  server.maxConnections = config.maxConnections;
  server.listen(options.port ?? config.port, options.host ?? config.host);
  await once(server, "listening");
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  runtime.logger.info(`API server listening on ${url}`, { url });
  let closing: Promise<void> | undefined;
  return {
    url,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve, reject) =>
          server.close((error) => (error ? reject(error) : resolve())),
        );
        server.closeIdleConnections();
        await closed;
        await app.dispose();
      })();
      return closing;
    },
  };
}
