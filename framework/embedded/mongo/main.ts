/**
 * Runs the embedded MongoDB server as a process: `main.ts [--port N] [--data DIR] [--host H]`.
 * Prints one JSON line `{"uri": "..."}` when ready; stops cleanly on SIGTERM/SIGINT.
 */
import { parseArgs } from "node:util";
import { EmbeddedMongoServer } from "./embedded-mongo-server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    data: { type: "string" },
    host: { type: "string" },
  },
});

const server = new EmbeddedMongoServer({
  port: values.port ? Number.parseInt(values.port, 10) : 0,
  dataDir: values.data || undefined,
  host: values.host,
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await server.stop();
    process.exit(0);
  } catch (error) {
    process.stderr.write(`embedded mongo: stop failed: ${String(error)}\n`);
    process.exit(1);
  }
}

process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());

try {
  await server.start();
  process.stdout.write(`${JSON.stringify({ uri: server.uri })}\n`);
} catch (error) {
  process.stderr.write(`embedded mongo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
