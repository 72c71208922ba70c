import {
  formatJobDetail,
  formatJobList,
  JOB_STATES,
  JobQueue,
  type JobRecord,
  JobRegistry,
  type JobState,
  type Runtime,
  runInline,
} from "core4ts";
import { CliError } from "../cli/cli-error.js";
import { collectJobArgs } from "../cli/job-args.js";
import { print, printJson } from "../cli/output.js";
import { runWithRuntime } from "../cli/run-with-runtime.js";

/** Options shared by commands that print data. */
export interface JsonOption {
  json?: boolean;
}

async function withQueue<T>(body: (queue: JobQueue, runtime: Runtime) => Promise<T>): Promise<T> {
  return runWithRuntime({ name: "coco" }, async (runtime) => {
    const queue = new JobQueue(runtime);
    try {
      return await body(queue, runtime);
    } finally {
      await queue.close();
    }
  });
}

/** `coco enqueue <job> [k=v ...] [--args JSON]`: prints the new job's id (or its record with --json). */
export async function enqueueCommand(
  job: string,
  pairs: string[],
  options: JsonOption & { args?: string },
): Promise<void> {
  const args = collectJobArgs(pairs, options.args);
  await withQueue(async (queue) => {
    const record = await queue.enqueue(job, args);
    if (options.json) printJson(record);
    else print(record.id);
  });
}

/** `coco run <job> [k=v ...]`: executes the job inline, without queue or Redis. */
export async function runCommand(
  job: string,
  pairs: string[],
  options: JsonOption & { args?: string },
): Promise<void> {
  const args = collectJobArgs(pairs, options.args);
  await runWithRuntime({ name: "coco.run", needRedis: false }, async (runtime) => {
    const abort = new AbortController();
    const onSignal = (): void => abort.abort(new Error("interrupted"));
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      const record = await runInline(runtime, job, args, { signal: abort.signal }).catch((error: unknown) => {
        // Ctrl-C is the operator's choice, not a failure of the job: a line and exit 130, no stack.
        if (abort.signal.aborted)
          throw new CliError(`${job} interrupted and journaled as killed`, "interrupted");
        throw error;
      });
      if (options.json) printJson(record);
      else print(formatJobDetail(record));
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });
}

function parseStates(state: string | undefined): JobState[] | undefined {
  if (state === undefined) return undefined;
  const states = state.split(",").map((s) => s.trim().toLowerCase());
  for (const s of states) {
    if (!(JOB_STATES as readonly string[]).includes(s)) {
      throw new CliError(`unknown state "${s}" (one of ${JOB_STATES.join(", ")})`, "bad_argument");
    }
  }
  return states as JobState[];
}

/** `coco jobs [--state S] [--name N] [--limit N]`: lists the jobs in the queue, newest first. */
export async function jobsCommand(
  options: JsonOption & { state?: string; name?: string; limit?: number },
): Promise<void> {
  const state = parseStates(options.state);
  await withQueue(async (queue, runtime) => {
    const found = await queue.list({ state, name: options.name, limit: options.limit });
    const records = options.limit === undefined ? found : found.slice(0, options.limit);
    // A name no plugin registers and no job carries is a typo, not "no jobs".
    if (options.name !== undefined && records.length === 0) JobRegistry.of(runtime).get(options.name);
    if (options.json) printJson(records);
    else print(records.length === 0 ? "no jobs" : formatJobList(records));
  });
}

/** `coco job <id>`: one job in detail. */
export async function jobCommand(id: string, options: JsonOption): Promise<void> {
  await withQueue(async (queue) => {
    const record = await queue.get(id);
    if (options.json) printJson(record);
    else print(formatJobDetail(record));
  });
}

/** `coco kill|restart|remove <id>`. */
export async function controlCommand(
  action: "kill" | "restart" | "remove",
  id: string,
  options: JsonOption,
): Promise<void> {
  await withQueue(async (queue) => {
    let record: JobRecord | undefined;
    if (action === "kill") record = await queue.kill(id);
    else if (action === "restart") record = await queue.restart(id);
    else await queue.remove(id);
    if (options.json) printJson(record ?? { id, removed: true });
    else if (record) print(`${record.id} ${record.state}`);
    else print(`${id} removed`);
  });
}
