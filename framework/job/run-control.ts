/**
 * The abort state of one run: raised by a kill, the wall time or a worker shutdown. A plain object rather
 * than an AbortController, because creating controllers and EventTarget listeners costs microseconds per
 * job on Node 20; the `AbortSignal` a job sees (`this.signal`) is created only when the job asks for it.
 */
export class RunControl {
  private raised = false;
  private cause: unknown;
  private listeners: ((reason: unknown) => void)[] = [];
  private controller: AbortController | undefined;

  /** Whether the run was aborted. */
  get aborted(): boolean {
    return this.raised;
  }

  /** Why the run was aborted (an Error such as JobKilledError), undefined until it is. */
  get reason(): unknown {
    return this.cause;
  }

  /** Aborts the run; later calls are ignored (the first reason wins). */
  abort(reason: unknown): void {
    if (this.raised) return;
    this.raised = true;
    this.cause = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener(reason);
  }

  /** Calls `listener` once when the run is aborted; returns a function that unsubscribes it. */
  onAbort(listener: (reason: unknown) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Throws the abort reason when the run was aborted. */
  throwIfAborted(): void {
    if (this.raised) throw this.cause;
  }

  /** An AbortSignal that follows this control (created on first use). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.raised) this.controller.abort(this.cause);
    }
    return this.controller.signal;
  }

  /** A control that is aborted when `signal` is, with `reason` (default: the signal's reason). */
  static following(signal: AbortSignal | undefined, reason?: () => unknown): RunControl {
    const control = new RunControl();
    if (!signal) return control;
    const raise = (): void => control.abort(reason ? reason() : signal.reason);
    if (signal.aborted) raise();
    else signal.addEventListener("abort", raise, { once: true });
    return control;
  }
}
