import { CoreJob, definePlugin } from "core4ts";
import { z } from "zod";

const stepArgs = z.object({ n: z.number().int() });

/** Steps the job walks through; a rerun continues after the last checkpointed step. */
export const STEPS = 20;

/** A long job that checkpoints each step in its cookie, so a rerun after a crash resumes. */
export class Checkpointed extends CoreJob {
  static override readonly jobName = "reliability.Checkpointed";
  static override readonly progressInterval = 0;

  override async execute(): Promise<void> {
    const done = (await this.cookie.get<number>("step")) ?? 0;
    this.setSource(`pid-${process.pid}`);
    const steps = this.collection("reliability/steps");
    for (let step = done + 1; step <= STEPS; step++) {
      await steps.insertOne({ step, pid: process.pid, resumedFrom: done });
      await this.cookie.set("step", step);
      await this.progress(step / STEPS, "step %d", step);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A short job that records each run of it (`reliability/effects`), so a test sees a job that ran twice. */
export class Step extends CoreJob.withArgs(stepArgs) {
  static override readonly jobName = "reliability.Step";
  static override readonly maxParallel = Infinity;

  override async execute(args: { n: number }): Promise<void> {
    this.setSource(`step-${args.n}`);
    await this.collection("reliability/effects").insertOne({ job: this.id, n: args.n, pid: process.pid });
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The plugin the worker processes register. */
export const reliabilityPlugin = definePlugin({ name: "reliability", jobs: [Checkpointed, Step] });
