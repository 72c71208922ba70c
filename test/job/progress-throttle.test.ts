import { describe, expect, it } from "vitest";
import { type JobProgress, ProgressThrottle } from "../../framework/job/index.js";

describe("progress throttle", () => {
  it("writes the first report, drops those within the interval and writes the last one at the end", async () => {
    let now = 0;
    const written: JobProgress[] = [];
    const throttle = new ProgressThrottle(
      5_000,
      async (p) => void written.push(p),
      () => now,
    );
    await throttle.report({ value: 0.1, message: "a" });
    now = 1_000;
    await throttle.report({ value: 0.2, message: "b" });
    now = 2_000;
    await throttle.report({ value: 0.3, message: "c" });
    expect(written.map((p) => p.message)).toEqual(["a"]);
    now = 6_000;
    await throttle.report({ value: 0.4, message: "d" });
    now = 7_000;
    await throttle.report({ value: 1, message: "done" });
    await throttle.flush();
    expect(written.map((p) => p.message)).toEqual(["a", "d", "done"]);
    expect(throttle.current).toEqual({ value: 1, message: "done" });
  });

  it("writes nothing at the end when the last report was written", async () => {
    const written: JobProgress[] = [];
    const throttle = new ProgressThrottle(
      5_000,
      async (p) => void written.push(p),
      () => 0,
    );
    await throttle.report({ value: 0.5, message: null });
    await throttle.flush();
    expect(written).toHaveLength(1);
  });
});
