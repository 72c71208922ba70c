import { randomUUID } from "node:crypto";
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { isAlive, sleep } from "./process-tools.js";
import { ServiceError } from "./service-error.js";

/** Contents of the lock file: who holds it since when. */
interface LockOwner {
  pid: number;
  host: string;
  token: string;
  created: number;
}

/** Options of {@link HomeLock.acquire}. */
export interface HomeLockOptions {
  /** How long to wait for another process to finish. Default 60 s. */
  timeoutMs?: number;
  /** A lock older than this is considered abandoned even when its process seems alive. Default 120 s. */
  staleMs?: number;
}

/**
 * An exclusive lock on a home's services (`$home/services.lock`, created with O_EXCL), so that two processes
 * starting at once do not start two sets of services. A lock whose process is gone (kill -9) or which is
 * older than `staleMs` is broken.
 */
export class HomeLock {
  private released = false;

  private constructor(
    /** Path of the lock file. */
    readonly path: string,
    private readonly token: string,
  ) {}

  /** Waits for the lock of `home`; throws a {@link ServiceError} naming the holder after `timeoutMs`. */
  static async acquire(home: string, options: HomeLockOptions = {}): Promise<HomeLock> {
    const path = join(home, "services.lock");
    const timeoutMs = options.timeoutMs ?? 60_000;
    const staleMs = options.staleMs ?? 120_000;
    const owner: LockOwner = { pid: process.pid, host: hostname(), token: randomUUID(), created: Date.now() };
    const deadline = Date.now() + timeoutMs;
    for (let wait = 25; ; wait = Math.min(wait * 2, 250)) {
      if (tryCreate(path, owner)) return new HomeLock(path, owner.token);
      const holder = readOwner(path);
      if (holder === undefined || isAbandoned(holder, staleMs)) {
        breakLock(path, holder);
        continue;
      }
      if (Date.now() > deadline) {
        throw new ServiceError(
          `another process (pid ${holder.pid}) is starting the services of ${home}; ` +
            `remove ${path} if no such process runs`,
        );
      }
      await sleep(wait);
    }
  }

  /** Releases the lock (only if it is still ours). Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readOwner(this.path)?.token === this.token) rmSync(this.path, { force: true });
  }
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new ServiceError(`cannot create ${path}: ${(error as Error).message}`);
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The holder of a lock; undefined when the file is gone or unreadable (a writer died mid-write). */
function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<LockOwner>;
    if (
      typeof parsed.pid === "number" &&
      typeof parsed.token === "string" &&
      typeof parsed.created === "number"
    ) {
      return { pid: parsed.pid, host: String(parsed.host), token: parsed.token, created: parsed.created };
    }
  } catch {
    // missing or half-written
  }
  return undefined;
}

function isAbandoned(holder: LockOwner, staleMs: number): boolean {
  if (Date.now() - holder.created > staleMs) return true;
  // A pid means nothing on another host (a home on a shared disk): there only age tells.
  return holder.host === hostname() && !isAlive(holder.pid);
}

/**
 * Removes an abandoned lock. Renaming first makes the removal atomic: of two processes breaking the same
 * lock, one renames it and the other finds nothing. If what we renamed turns out to be a fresh lock that
 * replaced the abandoned one in between, it is put back.
 */
function breakLock(path: string, judged: LockOwner | undefined): void {
  const aside = `${path}.${process.pid}.${randomUUID()}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  const moved = readOwner(aside);
  if (judged !== undefined && moved !== undefined && moved.token !== judged.token) {
    restore(aside, path);
    return;
  }
  if (
    judged === undefined &&
    moved !== undefined &&
    Date.now() - moved.created < 1_000 &&
    isAlive(moved.pid)
  ) {
    // An unreadable lock was being written; it is readable now and fresh: give it back.
    restore(aside, path);
    return;
  }
  rmSync(aside, { force: true });
}

/** Puts a lock back unless another one took its place meanwhile (link fails on an existing path). */
function restore(aside: string, path: string): void {
  try {
    linkSync(aside, path);
  } catch {
    // another lock is in place now: it wins
  }
  rmSync(aside, { force: true });
}
