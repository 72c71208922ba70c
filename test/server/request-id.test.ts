import { describe, expect, it } from "vitest";
import { requestIdOf } from "../../server/app/request-id.js";
import { startTestServer } from "./support/test-server.js";

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

describe("request ids", () => {
  it("are version 7 UUIDs carrying their millisecond, unique within one", () => {
    const at = Date.UTC(2026, 11, 1, 12, 0, 0, 123);
    const ids = Array.from({ length: 10_000 }, () => requestIdOf(at));
    for (const id of ids.slice(0, 100)) expect(id).toMatch(V7);
    expect(new Set(ids).size).toBe(ids.length);
    expect(msOf(ids[0] as string)).toBe(at);
    // Ids of later milliseconds sort after earlier ones (what keeps sys.log's index growing at its end).
    const later = [at + 1, at + 1_000, at + 86_400_000].map((ms) => requestIdOf(ms));
    expect([...later, ids[0]].sort()).toEqual([ids[0], ...later]);
    expect(requestIdOf(0).slice(0, 13)).toBe("00000000-0000");
  });

  it("are what the envelope, X-Request-Id and the access log carry", async () => {
    const server = await startTestServer();
    try {
      const before = Date.now();
      const response = await server.fetch("/core4/api/v1/health");
      const id = response.headers.get("x-request-id") ?? "";
      expect(id).toMatch(V7);
      expect((await response.json())._id).toBe(id);
      expect(msOf(id)).toBeGreaterThanOrEqual(before);
      expect(msOf(id)).toBeLessThanOrEqual(Date.now());
    } finally {
      await server.close();
    }
  });
});
