/**
 * Runs the embedded MongoDB server as a process: `main.ts [--port N] [--data DIR] [--host H]`.
 * With `CORE4_EMBEDDED_MONGO_USERNAME` and `CORE4_EMBEDDED_MONGO_PASSWORD` in the environment (never on the
 * command line, where every local user could read them), clients must log in as that user (SCRAM-SHA-256).
 * Prints one JSON line `{"uri": "..."}` (without credentials) when ready; stops cleanly on SIGTERM/SIGINT.
 */
import { parseArgs } from "node:util";
import { EmbeddedMongoServer } from "./embedded-mongo-server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    data: { type: "string" },
    host: { type: "string" },
    // Compact the journal once it is past this many bytes (and twice its compacted size); default 64 MiB.
    "journal-compact-bytes": { type: "string" },
  },
});

const username = process.env.CORE4_EMBEDDED_MONGO_USERNAME;
const password = process.env.CORE4_EMBEDDED_MONGO_PASSWORD;
if ((username === undefined) !== (password === undefined) || username === "" || password === "") {
  process.stderr.write(
    "embedded mongo: set both CORE4_EMBEDDED_MONGO_USERNAME and CORE4_EMBEDDED_MONGO_PASSWORD (non-empty), or neither\n",
  );
  process.exit(1);
}

const server = new EmbeddedMongoServer({
  port: values.port ? Number.parseInt(values.port, 10) : 0,
  dataDir: values.data || undefined,
  host: values.host,
  ...(values["journal-compact-bytes"]
    ? { journalCompaction: { minBytes: Number.parseInt(values["journal-compact-bytes"], 10) } }
    : {}),
  ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
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
