import { commandLineContains, isAlive, signal } from "./process-tools.js";
import { readServicesFile, writeServicesFile } from "./services-file.js";
import type { ServiceName, ServicesFile, ServiceUser } from "./types.js";

/** What the command line of each service process contains (guards against signalling a recycled pid). */
export const SERVICE_MARKER: Record<ServiceName, string> = {
  mongodb: "mongo-server/main",
  redis: "redis-server",
};

/** Users of this process not released yet, per home. */
const registered = new Map<string, Set<string>>();
let hooked = false;

/**
 * Remembers that this process uses the shared services of `home` as `user`, so that an exit without
 * `stop()` (an uncaught exception, `process.exit`) still releases it: when it was the last user, the
 * services started implicitly are stopped (best effort, without the lock: the exit hook must be synchronous).
 * A process killed by a signal it does not handle runs no exit hook: its entry is pruned by the next process
 * of the home, which sees its pid gone.
 */
export function releaseOnExit(home: string, user: ServiceUser): void {
  let tokens = registered.get(home);
  if (!tokens) {
    tokens = new Set();
    registered.set(home, tokens);
  }
  tokens.add(user.token);
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const [dir, left] of registered) {
      if (left.size === 0) continue;
      try {
        const file = readServicesFile(dir);
        if (!file) continue;
        const after = leave(file, (u) => u.pid === process.pid && left.has(u.token));
        for (const pid of after.stop) signal(pid, "SIGTERM");
        writeServicesFile(dir, after.file);
      } catch {
        // best effort: the next process of the home finds the file stale
      }
    }
  });
}

/** Forgets a user released by `stop()`. */
export function released(home: string, user: ServiceUser): void {
  registered.get(home)?.delete(user.token);
}

/** The live users of a file (entries of processes that are gone are dropped). */
export function liveUsers(file: ServicesFile): ServiceUser[] {
  return (file.users ?? []).filter((u) => isAlive(u.pid));
}

/**
 * The file after the users matching `leaving` left, and the service processes to stop: with no live user
 * remaining, the services started implicitly (owner set) are dropped from the file; background services stay.
 */
export function leave(
  file: ServicesFile,
  leaving: (user: ServiceUser) => boolean,
): { file: ServicesFile; stop: number[] } {
  const users = liveUsers(file).filter((u) => !leaving(u));
  const next: ServicesFile = { ...file, processes: { ...file.processes }, users };
  const stop: number[] = [];
  if (users.length > 0) return { file: next, stop };
  for (const kind of ["mongodb", "redis"] as const) {
    const recorded = next.processes?.[kind];
    if (!recorded || recorded.owner === null) continue;
    if (isAlive(recorded.pid) && commandLineContains(recorded.pid, SERVICE_MARKER[kind]))
      stop.push(recorded.pid);
    delete next.processes?.[kind];
    delete next[kind];
  }
  return { file: next, stop };
}
