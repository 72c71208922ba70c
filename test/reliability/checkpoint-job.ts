import { CoreJob, definePlugin } from "core4ts";

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

/** The plugin the worker processes register. */
export const reliabilityPlugin = definePlugin({ name: "reliability", jobs: [Checkpointed] });
