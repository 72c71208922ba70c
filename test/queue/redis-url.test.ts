import { describe, expect, it } from "vitest";
import {
  globalKey,
  isClusterUrl,
  killChannel,
  knownQueuesKey,
  parseRedisUrl,
} from "../../framework/queue/index.js";

describe("Redis URLs", () => {
  it("reads redis+cluster:// seed nodes with credentials for every node", () => {
    expect(parseRedisUrl("redis+cluster://app:p%40ss@10.0.0.1:7000,10.0.0.2:7001,[::1]:7002")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 7001 },
        { host: "::1", port: 7002 },
      ],
      redisOptions: { username: "app", password: "p@ss" },
    });
    expect(parseRedisUrl("rediss+cluster://:secret@h1:6380/")).toEqual({
      kind: "cluster",
      nodes: [{ host: "h1", port: 6380 }],
      redisOptions: { password: "secret", tls: {} },
    });
    expect(isClusterUrl("redis+cluster://h:1")).toBe(true);
    expect(parseRedisUrl("redis://127.0.0.1:6379/2")).toEqual({
      kind: "single",
      url: "redis://127.0.0.1:6379/2",
    });
  });

  it("names the variable and hides the password of a bad cluster URL", () => {
    expect(() => parseRedisUrl("redis+cluster://u:hunter2@h1")).toThrow(
      /CORE4_REDIS_URL .*\*\*\*@h1.*host:port/,
    );
    expect(() => parseRedisUrl("redis+cluster://u:hunter2@h1")).not.toThrow(/hunter2/);
    expect(() => parseRedisUrl("redis+cluster://h1:99999")).toThrow(/out of range/);
  });

  it("puts every key of no one job type in the {core4} slot", () => {
    expect(knownQueuesKey("core4")).toBe("core4:{core4}:known-jobs");
    expect(killChannel("core4")).toBe("core4:{core4}:kill");
    expect(globalKey("p", "pause")).toBe("p:{core4}:pause");
  });
});
