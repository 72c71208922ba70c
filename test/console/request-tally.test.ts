import { describe, expect, it } from "vitest";
import { RequestTally } from "../../server/metrics/request-tally.js";

describe("RequestTally", () => {
  it("puts a time on a bucket's bound into that bucket (Prometheus `le`) and sums the times", () => {
    const tally = new RequestTally();
    tally.record("GET", "/a", 200, 0.005);
    tally.record("GET", "/a", 200, 0.0051);
    tally.record("GET", "/a", 500, 20);
    tally.record("POST", "/a", 201, 0.001);
    const text = tally.durationText("t", "help");
    expect(text).toContain('t_bucket{le="0.005",method="GET",route="/a"} 1\n');
    expect(text).toContain('t_bucket{le="0.01",method="GET",route="/a"} 2\n');
    expect(text).toContain('t_bucket{le="10",method="GET",route="/a"} 2\n');
    expect(text).toContain('t_bucket{le="+Inf",method="GET",route="/a"} 3\n');
    expect(text).toContain('t_count{method="GET",route="/a"} 3\n');
    expect(text).toContain('t_sum{method="GET",route="/a"} 20.0101');
    expect(text).toContain('t_count{method="POST",route="/a"} 1\n');
    const counts = [...tally.requestCounts()].map((r) => [r.labels.method, r.labels.status, r.count]);
    expect(counts).toEqual([
      ["GET", "200", 2],
      ["GET", "500", 1],
      ["POST", "201", 1],
    ]);
  });

  it("escapes label values in the text format", () => {
    const tally = new RequestTally();
    tally.record("GET", '/x/"quoted"\\', 200, 0.1);
    expect(tally.durationText("t", "h")).toContain('route="/x/\\"quoted\\"\\\\"');
  });
});
