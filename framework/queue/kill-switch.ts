import { JobKilledError, type RunControl } from "../job/index.js";
import { killChannel, killedKey } from "./queue-keys.js";
import type { RedisClient } from "./redis-connection.js";

// A kill may arrive just before the job starts here; remember it this long.
const REMEMBER_MS = 60_000;
// A kill of a running job whose worker died is checked when the job is recovered; kept a day.
const MARKER_SECONDS = 24 * 3600;

/**
 * Which run of a job a kill is meant for: the job id and the time its BullMQ job was created. A restart
 * queues the job afresh under the same id (a new creation time), so a kill of an earlier run never reaches
 * the new one.
 */
export interface KillTarget {
  id: string;
  /** BullMQ's `job.timestamp` of the run's job (ms). */
  created: number;
}

/**
 * Receives kill requests published by any process ({@link KillSwitch.request}) and raises the signal of the
 * run they target when it runs in this process. A request for a run about to start is remembered for a
 * minute, so a kill racing the start still lands; it never lands on a later run of the same job id.
 */
export class KillSwitch {
  private readonly running = new Map<string, { created: number; control: RunControl }>();
  private readonly recent = new Map<string, { created: number; at: number }>();

  private constructor(
    private readonly subscriber: RedisClient,
    private readonly connection: RedisClient,
    private readonly prefix: string,
  ) {}

  /**
   * Subscribes `subscriber` (a dedicated connection) to the kill channel of `prefix`; `connection` reads the
   * markers of kills that reached no worker.
   */
  static async listen(subscriber: RedisClient, connection: RedisClient, prefix: string): Promise<KillSwitch> {
    const kills = new KillSwitch(subscriber, connection, prefix);
    subscriber.on("message", (_channel: string, message: string) => kills.receive(message));
    await subscriber.subscribe(killChannel(prefix));
    return kills;
  }

  /**
   * Asks every worker to kill one run, and leaves a marker for the case that its worker died: the run is
   * then checked when it is recovered.
   */
  static async request(connection: RedisClient, prefix: string, target: KillTarget): Promise<void> {
    const message = JSON.stringify(target);
    await connection
      .multi()
      .set(killedKey(prefix, target.id), message, "EX", MARKER_SECONDS)
      .publish(killChannel(prefix), message)
      .exec();
  }

  /** Forgets the kill marker of a job (its restart starts a run no earlier kill may reach). */
  static async clear(connection: RedisClient, prefix: string, id: string): Promise<void> {
    await connection.del(killedKey(prefix, id));
  }

  /**
   * Registers a run; its control is aborted when a kill for it arrives. A run recovered from a dead worker
   * (`recovered`) also checks the marker of a kill that no one could hear.
   */
  async register(target: KillTarget, control: RunControl, recovered: boolean): Promise<void> {
    this.running.set(target.id, { created: target.created, control });
    const remembered = this.recent.get(target.id);
    if (remembered?.created === target.created && Date.now() - remembered.at < REMEMBER_MS) {
      this.recent.delete(target.id);
      control.abort(killedError(target.id));
      return;
    }
    if (!recovered) return;
    const marker = parseTarget(await this.connection.get(killedKey(this.prefix, target.id)));
    if (marker?.created === target.created) control.abort(killedError(target.id));
  }

  /** Forgets a finished run. */
  unregister(id: string): void {
    this.running.delete(id);
  }

  /** Stops listening. */
  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => undefined);
  }

  /** Drops the subscriber connection at once (Redis unreachable: a polite quit would wait for it). */
  disconnect(): void {
    this.subscriber.disconnect();
  }

  private receive(message: string): void {
    const target = parseTarget(message);
    if (!target) return;
    const run = this.running.get(target.id);
    if (run) {
      if (run.created === target.created) run.control.abort(killedError(target.id));
      return;
    }
    const now = Date.now();
    for (const [key, { at }] of this.recent) if (now - at >= REMEMBER_MS) this.recent.delete(key);
    this.recent.set(target.id, { created: target.created, at: now });
  }
}

function killedError(id: string): JobKilledError {
  return new JobKilledError(`job ${id} was killed`);
}

/** A kill message or marker; undefined for anything else (a message of an older version, say). */
function parseTarget(text: string | null): KillTarget | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<KillTarget>;
    if (typeof parsed.id === "string" && typeof parsed.created === "number") {
      return { id: parsed.id, created: parsed.created };
    }
  } catch {
    // not ours
  }
  return undefined;
}
