import {
  type EnqueueOptions,
  JOB_STATES,
  JobArgumentError,
  JobQueue,
  type JobRecord,
  type JobState,
  type Runtime,
  runInline,
  type ScheduleView,
} from "core4ts";
import { parseJobArgs } from "../../framework/job/index.js";
import { parseAt, parseDelay } from "../../framework/queue/index.js";
import { JobRegistry } from "../../framework/run/index.js";
import { CliError } from "../cli/cli-error.js";
import { readEachFile } from "../cli/each-file.js";
import { formatJobDetail, formatJobList } from "../cli/format-jobs.js";
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

/** Options of `coco enqueue`. */
export interface EnqueueCommandOptions extends JsonOption {
  args?: string;
  /** `--each FILE|-`: one job per JSON line or array element. */
  each?: string;
  /** `--partial`: with `--each`, enqueue the good lines although others are bad. */
  partial?: boolean;
  delay?: string;
  at?: string;
  priority?: number;
  attempts?: number;
}

function enqueueOptions(options: EnqueueCommandOptions): EnqueueOptions {
  const out: EnqueueOptions = {};
  try {
    if (options.delay !== undefined) out.delay = parseDelay(options.delay, "--delay");
    if (options.at !== undefined) out.at = parseAt(options.at, "--at");
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (out.delay !== undefined && out.at !== undefined)
    throw new CliError("give either --delay or --at, not both");
  if (options.priority !== undefined) out.priority = options.priority;
  if (options.attempts !== undefined) out.attempts = options.attempts;
  return out;
}

/**
 * `coco enqueue <job> [k=v ...] [--args JSON] [--delay 10m | --at ISO] [--priority N] [--attempts N]`: prints
 * the new job's id (or its record with --json). With `--each FILE`, one job per item of the file (k=v and
 * --args are the items' common arguments), see {@link enqueueEach}.
 */
export async function enqueueCommand(
  job: string,
  pairs: string[],
  options: EnqueueCommandOptions,
): Promise<void> {
  const args = collectJobArgs(pairs, options.args);
  const enqueue = enqueueOptions(options);
  if (options.each !== undefined) {
    await enqueueEach(job, args, options.each, enqueue, options);
    return;
  }
  if (options.partial) throw new CliError("--partial goes with --each");
  await withQueue(async (queue) => {
    const record = await queue.enqueue(job, args, enqueue);
    if (options.json) printJson(record);
    else print(record.id);
  });
}

/**
 * `coco enqueue <job> --each FILE|-`: every line is checked first; a bad one (not a JSON object, or
 * arguments the job refuses) is named by its number and nothing is enqueued, unless `--partial`. The rest
 * go to Redis in batches; a duplicate of a queued job is refused per item. Prints an id or the refusal per
 * item (`--json`: the results), and a count on stderr.
 */
async function enqueueEach(
  job: string,
  common: Record<string, unknown>,
  path: string,
  enqueue: EnqueueOptions,
  options: EnqueueCommandOptions,
): Promise<void> {
  const { items, problems, unit } = readEachFile(path);
  const total = items.length + problems.length;
  await withQueue(async (queue, runtime) => {
    const jobClass = JobRegistry.of(runtime).resolve(job);
    const good = items.filter((item) => {
      try {
        parseJobArgs(jobClass.jobName, jobClass.args, { ...common, ...item.args });
        return true;
      } catch (error) {
        if (!(error instanceof JobArgumentError)) throw error;
        problems.push({ line: item.line, error: error.message });
        return false;
      }
    });
    problems.sort((a, b) => a.line - b.line);
    for (const problem of problems)
      process.stderr.write(`coco: --each ${unit} ${problem.line}: ${problem.error}\n`);
    if (problems.length && !options.partial) {
      const first = problems[0] as { line: number };
      throw new CliError(
        `--each: ${problems.length} bad ${unit}(s), the first is ${unit} ${first.line}; nothing was enqueued (--partial enqueues the good ones)`,
      );
    }
    if (good.length === 0)
      throw new CliError(`--each: no ${unit} to enqueue in ${path === "-" ? "stdin" : path}`);
    const results = await queue.enqueueMany(
      jobClass,
      good.map((item) => ({ ...common, ...item.args })),
      enqueue,
    );
    // Results name the file's line (or element) number instead of the index among the good ones.
    // Results name the file's line (or element) number instead of the index among the good ones.
    const lines = results.map(({ index, ...result }) => ({
      [unit]: (good[index] as { line: number }).line,
      ...result,
    }));
    const enqueued = results.filter((r) => "id" in r).length;
    if (options.json) printJson(lines);
    else
      print(
        results
          .map((r) =>
            "id" in r
              ? r.id
              : `${unit} ${(good[r.index] as { line: number }).line}: refused (${r.refused}): ${r.error}`,
          )
          .join("\n"),
      );
    process.stderr.write(
      `coco: enqueued ${enqueued} of ${total} ${unit}s (${results.length - enqueued} refused, ${problems.length} bad)\n`,
    );
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

/** Options of `coco restart|remove` for bulk redrive. */
export interface SelectionOption {
  name?: string;
  state?: string;
}

/**
 * `coco kill|restart|remove <id>`, and `coco restart|remove --name N --state S`: every job of that name in
 * that state (bulk redrive); prints how many.
 */
export async function controlCommand(
  action: "kill" | "restart" | "remove",
  id: string | undefined,
  options: JsonOption & SelectionOption,
): Promise<void> {
  const bulk = options.name !== undefined || options.state !== undefined;
  if (bulk && action === "kill") throw new CliError("kill takes a job id");
  if (bulk && id !== undefined)
    throw new CliError(`${action} takes a job id or --name and --state, not both`);
  if (bulk) {
    if (options.name === undefined || options.state === undefined) {
      throw new CliError(`${action} --name N --state S needs both --name and --state`);
    }
    const [state] = parseStates(options.state) ?? [];
    if (options.state.includes(",")) throw new CliError("--state takes one state here");
    const selection = { name: options.name, state: state as JobState };
    await withQueue(async (queue) => {
      const outcome =
        action === "restart" ? await queue.restartMatching(selection) : await queue.removeMatching(selection);
      if (options.json) printJson(outcome);
      else {
        const verb = action === "restart" ? "restarted" : "removed";
        const lines = [
          `${verb} ${outcome.done} of ${outcome.matched} ${selection.name} jobs in ${selection.state}`,
        ];
        for (const refused of outcome.refused) lines.push(`${refused.id}: ${refused.error}`);
        print(lines.join("\n"));
      }
    });
    return;
  }
  if (id === undefined)
    throw new CliError(`${action} needs a job id${action === "kill" ? "" : " or --name N --state S"}`);
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

function iso(date: Date | null | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, "Z") : "-";
}

/** `coco schedules` output: one block per schedule. */
export function formatSchedules(views: readonly ScheduleView[]): string {
  if (views.length === 0) return "no schedules";
  return views
    .map((v) => {
      const last = v.last
        ? `${iso(v.last.slot)} ${v.last.outcome}${v.last.id ? ` as ${v.last.id}` : ""}${v.last.reason ? ` (${v.last.reason})` : ""}`
        : "-";
      return [
        v.jobName,
        `  pattern:  ${v.pattern} (${v.timezone})`,
        `  next:     ${v.next.map(iso).join(", ")}`,
        `  last:     ${last}`,
        `  policy:   catchup ${v.policy.catchup} within ${v.policy.catchupWindow} s, overlap ${v.policy.overlap}`,
      ].join("\n");
    })
    .join("\n\n");
}

/** `coco schedules`: pattern, time zone, next 3 runs, last scheduled run and policy of every schedule. */
export async function schedulesCommand(options: JsonOption): Promise<void> {
  await withQueue(async (queue) => {
    const views = await queue.schedules();
    if (options.json) printJson(views);
    else print(formatSchedules(views));
  });
}
