import type { Redis } from "ioredis";
import { JobKilledError, type RunControl } from "../job/index.js";
import { killChannel } from "./queue-keys.js";

// A kill may arrive just before the job starts here; remember it this long.
const REMEMBER_MS = 60_000;

/**
 * Receives kill requests published by any process (`JobQueue.kill`) and raises the signal of the job
 * when it runs in this process. A request for a job about to start is remembered for a minute, so a kill
 * racing the start still lands.
 */
export class KillSwitch {
  private readonly running = new Map<string, RunControl>();
  private readonly recent = new Map<string, number>();

  private constructor(private readonly subscriber: Redis) {}

  /** Subscribes `subscriber` (a dedicated connection) to the kill channel of `prefix`. */
  static async listen(subscriber: Redis, prefix: string): Promise<KillSwitch> {
    const kills = new KillSwitch(subscriber);
    subscriber.on("message", (_channel: string, id: string) => kills.receive(id));
    await subscriber.subscribe(killChannel(prefix));
    return kills;
  }

  /** Registers a run; its control is aborted when a kill for the id arrives. */
  register(id: string, control: RunControl): void {
    this.running.set(id, control);
    const at = this.recent.get(id);
    if (at !== undefined && Date.now() - at < REMEMBER_MS) {
      this.recent.delete(id);
      control.abort(new JobKilledError(`job ${id} was killed`));
    }
  }

  /** Forgets a finished run. */
  unregister(id: string): void {
    this.running.delete(id);
  }

  /** Stops listening. */
  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => undefined);
  }

  private receive(id: string): void {
    const control = this.running.get(id);
    if (control) {
      control.abort(new JobKilledError(`job ${id} was killed`));
      return;
    }
    const now = Date.now();
    for (const [key, at] of this.recent) if (now - at >= REMEMBER_MS) this.recent.delete(key);
    this.recent.set(id, now);
  }
}
