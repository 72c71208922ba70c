import type { ChildProcess } from "node:child_process";

const owned = new Set<number>();
let hooked = false;

/**
 * Remembers a service process this process must stop (its child, or an orphan it adopted), and stops it
 * (best effort) when the process exits without calling `stop()` (an uncaught exception, `process.exit`). A
 * process killed by a signal it does not handle runs no exit hook: its services are then found orphaned
 * and adopted by the next process of the home.
 */
export function trackOwned(pid: number, child?: ChildProcess): void {
  owned.add(pid);
  child?.once("exit", () => owned.delete(pid));
  if (!hooked) {
    hooked = true;
    process.once("exit", () => {
      for (const p of owned) {
        try {
          process.kill(p, "SIGTERM");
        } catch {
          // already gone
        }
      }
    });
  }
}

/** Forgets a process (stopped by `stop()`). */
export function untrackOwned(pid: number): void {
  owned.delete(pid);
}
