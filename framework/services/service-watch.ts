import { hostPort, tcpAnswers } from "./probes.js";
import { readServicesFile } from "./services-file.js";
import type { ServiceName } from "./types.js";

/**
 * Checks, every `intervalMs` while a process uses the shared services of a home, that each recorded service
 * still accepts connections, and has a dead one restarted (`revive`, on its recorded port: the process's
 * clients reconnect by themselves). Re-reads services.json each time, so a service another process restarted
 * is found there. The timer keeps no process alive.
 */
export class ServiceWatch {
  private readonly timer: NodeJS.Timeout;
  private checking: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly home: string,
    private readonly kinds: readonly ServiceName[],
    intervalMs: number,
    private readonly revive: (home: string, kinds: readonly ServiceName[]) => Promise<void>,
  ) {
    this.timer = setInterval(() => {
      this.checking ??= this.check().finally(() => {
        this.checking = undefined;
      });
    }, intervalMs).unref();
  }

  /** Stops checking; resolves once a check in progress is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.checking;
  }

  private async check(): Promise<void> {
    const file = readServicesFile(this.home);
    if (!file || this.stopped) return;
    const dead: ServiceName[] = [];
    for (const kind of this.kinds) {
      const url = file[kind];
      const address = url ? hostPort(url) : undefined;
      if (address && !(await tcpAnswers(address.host, address.port))) dead.push(kind);
    }
    if (dead.length === 0 || this.stopped) return;
    // A failed restart is tried again at the next check.
    await this.revive(this.home, dead).catch(() => undefined);
  }
}
