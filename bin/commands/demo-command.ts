import type { JobRecord, Runtime } from "core4ts";
import { AGGREGATE_LOGINS, generateSampleLogins } from "core4ts/plugins/usage";
import { RoleStore } from "core4ts/server";
import { runWithRuntime, untilSignal } from "../cli/run-with-runtime.js";
import { type RunningParts, startParts } from "./process-commands.js";

/** Demo accounts: logins through the real endpoint, so the report shows them like any other. */
const DEMO_USERS = [
  { name: "demo", password: "core4demo" },
  { name: "ada", password: "core4demo" },
  { name: "grace", password: "core4demo" },
];
const SAMPLE_USERS = 200;
const SAMPLE_DAYS = 400;
// The report, and a read-only look at the jobs API.
const DEMO_PERMISSIONS = ["api://usage/*", "api://core4/jobs/read"];

/** Options of `coco demo`. */
export interface DemoOptions {
  /** Port (default config `server.port`). */
  port?: number;
}

/**
 * `coco demo`: `dev` (embedded services, server, worker, scheduler) plus sample data. Writes sample successful
 * logins of 200 users over the last 400 days into the configured source log (replacing those of an earlier
 * demo), logs the demo users in through the login endpoint, runs the aggregation through the worker, and
 * prints where to look.
 */
export async function demoCommand(options: DemoOptions = {}): Promise<void> {
  await runWithRuntime({ name: "coco.demo" }, async (runtime) => {
    const usage = runtime.config.section("usage");
    const log = runtime.mongo.collection(usage.sysLog);
    say(`writing sample logins: ${SAMPLE_USERS} users over ${SAMPLE_DAYS} days into ${usage.sysLog}`);
    await log.deleteMany({ demo: true });
    const records = generateSampleLogins({ users: SAMPLE_USERS, days: SAMPLE_DAYS });
    for (let i = 0; i < records.length; i += 10_000) {
      await log.insertMany(
        records.slice(i, i + 10_000).map((r) => ({ ...r, demo: true })),
        { ordered: false },
      );
    }
    say(`${records.length} sample logins written`);

    const roles = new RoleStore(runtime.mongo.sys("role"));
    await roles.ensureIndexes();
    for (const user of DEMO_USERS) {
      await roles.upsert({ ...user, perm: DEMO_PERMISSIONS, is_active: true });
    }

    const running = await startParts(runtime, {
      serve: true,
      worker: true,
      scheduler: true,
      port: options.port,
    });
    try {
      const base = (running.server as NonNullable<RunningParts["server"]>).url;
      for (const user of DEMO_USERS) await login(base, user.name, user.password);
      say(`logged in ${DEMO_USERS.map((u) => u.name).join(", ")} through ${base}/core4/api/v1/login`);

      const start = new Date(Date.now() - (SAMPLE_DAYS + 1) * 86_400_000).toISOString().slice(0, 10);
      const job = await running.queue.enqueue(AGGREGATE_LOGINS, { start });
      say(`aggregating logins since ${start} with ${AGGREGATE_LOGINS} (job ${job.id}) through the worker`);
      const done = await waitForJob(runtime, running, job.id);
      say(
        `aggregation ${done.state}${done.runtime === null ? "" : ` in ${Number(done.runtime).toFixed(1)} s`}`,
      );

      process.stdout.write(
        [
          "",
          "core4ts demo is running",
          `  usage report: ${base}/usage/login`,
          `  raw data:     ${base}/usage/login/raw?content_type=csv`,
          `  SVG chart:    ${base}/usage/login/plot`,
          `  jobs API:     ${base}/core4/api/v1/jobs`,
          `  log in as:    demo / core4demo${runtime.config.core.server.adminPassword ? "  (or admin / CORE4_ADMIN_PASSWORD)" : ""}`,
          "Press Ctrl-C to stop.",
          "",
        ].join("\n"),
      );
      await untilSignal();
      say("stopping");
    } finally {
      await running.close();
    }
  });
}

function say(message: string): void {
  process.stderr.write(`coco demo: ${message}\n`);
}

async function login(base: string, username: string, password: string): Promise<void> {
  const response = await fetch(`${base}/core4/api/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`demo login of ${username} failed with HTTP ${response.status}`);
}

async function waitForJob(runtime: Runtime, running: RunningParts, id: string): Promise<JobRecord> {
  let last = "";
  for (;;) {
    const record = await running.queue.get(id);
    if (["complete", "error", "killed", "inactive"].includes(record.state)) return record;
    const line = `${record.state} ${Math.round((record.progress.value ?? 0) * 100)}% ${record.progress.message ?? ""}`;
    if (line !== last) {
      runtime.logger.debug(`demo aggregation ${line}`);
      last = line;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
