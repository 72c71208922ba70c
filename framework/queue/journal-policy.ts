import type { JobRuntime, JobSettings } from "../job/index.js";
import { JobRegistry, type RunState } from "../run/index.js";
import { queueNameOf } from "./queue-keys.js";

/**
 * Whether a worker journals a run that ended in `state` (docs/contracts.md "Jobs: metadata and policies"):
 * never an interrupted one (it goes back to the queue and runs again); with `journal: failures` only runs
 * that did not complete, which spares a very frequent job type a MongoDB write per run at the price of its
 * complete runs' history (their last runtime still reaches the cookie).
 */
export function journals(settings: Pick<JobSettings, "journal">, state: RunState): boolean {
  if (state === "interrupted") return false;
  return settings.journal === "all" || state !== "complete";
}

/** The BullMQ queue names of the given job types that journal failures only. */
export function failuresOnlyQueues(runtime: JobRuntime, jobNames: readonly string[]): Set<string> {
  const registry = JobRegistry.of(runtime);
  return new Set(
    jobNames
      .filter((name) => JobRegistry.settings(runtime, registry.get(name)).journal === "failures")
      .map(queueNameOf),
  );
}
