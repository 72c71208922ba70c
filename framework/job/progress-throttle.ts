/** One progress report: a fraction in [0, 1] and a message. */
export interface JobProgress {
  /** Done fraction, 0 to 1. */
  value: number;
  /** What the job is doing. */
  message: string | null;
}

/**
 * core4's progress rule: at most one write per interval; calls in between are dropped, except that the
 * first call is always written and the last dropped one is written by {@link flush} when the run ends, so
 * the final state is never lost.
 */
export class ProgressThrottle {
  private lastWrite = Number.NEGATIVE_INFINITY;
  private pending: JobProgress | undefined;
  private latest: JobProgress = { value: 0, message: null };
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly write: (progress: JobProgress) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The most recent progress reported (written or not). */
  get current(): JobProgress {
    return this.latest;
  }

  /** Reports progress; resolves once it is written, or at once when the call is dropped. */
  report(progress: JobProgress): Promise<void> {
    this.latest = progress;
    const now = this.now();
    if (now - this.lastWrite < this.intervalMs) {
      this.pending = progress;
      return Promise.resolve();
    }
    this.lastWrite = now;
    this.pending = undefined;
    this.writing = this.writing.then(() => this.write(progress));
    return this.writing;
  }

  /** Writes the last dropped report, if any (the run's final progress). */
  flush(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) this.writing = this.writing.then(() => this.write(pending));
    return this.writing;
  }
}
