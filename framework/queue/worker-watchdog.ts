import type { Queue } from "bullmq";
import type { JobLogger } from "../job/index.js";
import { settleWithin } from "./settle-within.js";

/** How long one look at a queue, or a close waiting for a look, may take (Redis may not answer). */
const LOOK_TIMEOUT_MS = 5_000;

/** One worker of a pool, as the watchdog sees it. */
export interface WatchedWorker {
  /** The job type (and queue) the worker runs. */
  readonly jobName: string;
  /** A queue handle on the worker's queue, for looking at it. */
  readonly queue: Queue;
  /** Runs of this type going on in this process now. */
  active(): number;
  /** Replaces the worker by a new one with new connections. */
  restart(): Promise<void>;
}

/**
 * Replaces workers that stopped taking jobs. A healthy idle BullMQ worker asks Redis for the next job at
 * least every few seconds (its drain delay, 5 s, plus BullMQ's own 1 s watchdog), so the same job still first
 * in line a whole interval later, with this worker idle at both looks and the queue neither paused, rate
 * limited nor at its global cap, means this worker's connection is wedged. That happens after a Redis Cluster
 * failover or a long outage (BullMQ issues #4138, #3185): the worker looks alive and takes nothing.
 */
export class WorkerWatchdog {
  /** Per job name: the jobs first in line at the last look, taken while this worker was idle. */
  private readonly firstInLine = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<unknown> | undefined;

  constructor(
    private readonly workers: () => readonly WatchedWorker[],
    private readonly logger: JobLogger,
  ) {}

  /** Looks every `intervalMs` (0: never). */
  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.checking ??= this.check()
        .catch((error: unknown) =>
          this.logger.warn("cannot check the workers for wedged connections", {
            reason: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(() => {
          this.checking = undefined;
        });
    }, intervalMs).unref();
  }

  /** Stops looking; waits a moment for a look under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await settleWithin(this.checking, LOOK_TIMEOUT_MS);
  }

  /** One look at every worker; restarts the wedged ones and returns their job names. */
  async check(): Promise<string[]> {
    const restarted: string[] = [];
    for (const worker of this.workers()) {
      const line = worker.active() === 0 ? await lookWithin(worker.queue) : undefined;
      const before = this.firstInLine.get(worker.jobName);
      if (line === undefined) this.firstInLine.delete(worker.jobName);
      else this.firstInLine.set(worker.jobName, line);
      if (line === undefined || line !== before) continue;
      this.logger.warn("worker takes no jobs although they wait for it: restarting it", {
        job: worker.jobName,
        waiting: line.split(","),
      });
      this.firstInLine.delete(worker.jobName);
      await worker.restart();
      restarted.push(worker.jobName);
    }
    return restarted;
  }
}

/** {@link waitingUntaken}, or undefined when Redis does not answer in time (nothing to judge by then). */
async function lookWithin(queue: Queue): Promise<string | undefined> {
  let line: string | undefined;
  const look = waitingUntaken(queue).then((found) => {
    line = found;
  });
  return (await settleWithin(look, LOOK_TIMEOUT_MS)) ? line : undefined;
}

/**
 * The ids of the jobs first in line (waiting and prioritized) when an idle worker should take them, or
 * undefined when none waits or nothing may be taken now (paused, rate limited, at the global cap).
 */
async function waitingUntaken(queue: Queue): Promise<string | undefined> {
  const first = await queue.getJobs(["wait", "prioritized"], 0, 0, true);
  if (first.length === 0) return undefined;
  if (await queue.isPaused()) return undefined;
  if ((await queue.getRateLimitTtl()) > 0) return undefined;
  const cap = await queue.getGlobalConcurrency();
  if (cap !== null && cap !== undefined && (await queue.getActiveCount()) >= Number(cap)) return undefined;
  return first
    .map((job) => String(job?.id))
    .sort()
    .join(",");
}
