import {
  JobLog,
  type JobLogCursor,
  type JobLogRecord,
  JobQueue,
  type JobTypeInfo,
  JobTypes,
  type Runtime,
} from "core4ts";
import { print, printJson } from "../cli/output.js";
import { runWithRuntime } from "../cli/run-with-runtime.js";
import type { JsonOption } from "./job-commands.js";

const FINAL_STATES = new Set(["complete", "error", "killed", "inactive"]);
const FOLLOW_POLL_MS = 500;
// After the job ended, records still on their way (the log sink writes in batches) are waited for this long.
const FOLLOW_GRACE_MS = 2_500;

async function withTypes<T>(
  body: (types: JobTypes, queue: JobQueue, runtime: Runtime) => Promise<T>,
): Promise<T> {
  return runWithRuntime({ name: "coco" }, async (runtime) => {
    const queue = new JobQueue(runtime);
    const types = new JobTypes(runtime, queue);
    try {
      return await body(types, queue, runtime);
    } finally {
      await types.close();
      await queue.close();
    }
  });
}

function logLine(record: JobLogRecord): string {
  const created = record.created instanceof Date ? record.created.toISOString() : String(record.created);
  return `${created} ${record.level.padEnd(8)} ${record.message}`;
}

/**
 * `coco logs <id> [--follow] [--json]`: the job's records from `sys.log`, oldest first (docs/contracts.md
 * "CLI"). `--follow` keeps printing new records until the job has ended (or Ctrl-C); with `--json` every
 * record is then one JSON line.
 */
export async function logsCommand(id: string, options: JsonOption & { follow?: boolean }): Promise<void> {
  await withTypes(async (_types, queue, runtime) => {
    const log = new JobLog(runtime.mongo.sys("log"));
    await queue.get(id); // an unknown id is an error, not an empty log
    if (!options.follow) {
      const { records } = await log.read(id, { limit: 100_000 });
      if (options.json) printJson(records);
      else if (records.length === 0) print(`no log records for job ${id}`);
      else print(records.map(logLine).join("\n"));
      return;
    }
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      let cursor: JobLogCursor | undefined;
      let endedAt: number | undefined;
      while (!stop.signal.aborted) {
        const page = await log.read(id, { after: cursor, limit: 1_000 });
        cursor = page.cursor ?? cursor;
        for (const record of page.records) print(options.json ? JSON.stringify(record) : logLine(record));
        if (page.records.length === 1_000) continue;
        if (endedAt === undefined && FINAL_STATES.has((await queue.get(id)).state)) endedAt = Date.now();
        if (endedAt !== undefined && Date.now() - endedAt >= FOLLOW_GRACE_MS) break;
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
      }
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });
}

function formatTypes(types: readonly JobTypeInfo[]): string {
  if (types.length === 0) return "no job types";
  const header = [
    "NAME",
    "PAUSED",
    "PENDING",
    "RUNNING",
    "DEFERRED",
    "FAILED",
    "ERROR",
    "INACTIVE",
    "KILLED",
  ];
  header.push("COMPLETE", "SCHEDULE", "NEXT RUN", "RATE LIMIT");
  const rows = types.map((t) => [
    t.name,
    t.paused ? "yes" : "no",
    ...(["pending", "running", "deferred", "failed", "error", "inactive", "killed", "complete"] as const).map(
      (s) => String(t.counts[s]),
    ),
    t.schedule ? `${t.schedule.pattern} ${t.schedule.timezone}` : "-",
    t.schedule?.next ? t.schedule.next.toISOString().replace(/\.\d{3}Z$/, "Z") : "-",
    t.rateLimit ? `${t.rateLimit.max}/${t.rateLimit.duration}s` : "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) =>
        i >= 2 && i <= 9 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number),
      )
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** `coco types [--json]`: job types with counts per state, paused, schedule and next run. */
export async function typesCommand(options: JsonOption): Promise<void> {
  await withTypes(async (types) => {
    const list = await types.list();
    if (options.json) printJson(list);
    else print(formatTypes(list));
  });
}

/** `coco pause <job>` / `coco resume <job>`: a job type, pool-wide. */
export async function pauseCommand(
  action: "pause" | "resume",
  job: string,
  options: JsonOption,
): Promise<void> {
  await withTypes(async (types) => {
    const info = await types[action](job);
    if (options.json) printJson(info);
    else print(`${info.name} ${info.paused ? "paused" : "resumed"}`);
  });
}
