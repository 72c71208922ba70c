import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { runCoco } from "../support/run-coco.js";
import { testMongoUri, uniqueName } from "../support/services.js";
import { startUsageServer } from "./support/usage-server.js";

vi.setConfig({ testTimeout: 180_000 });

const SECRET = "cli-embed-link-secret-0123456789";

describe("coco embed-link", async () => {
  const env = {
    CORE4_HOME: mkdtempSync(join(tmpdir(), "core4ts-embed-")),
    CORE4_MONGODB_URI: await testMongoUri(),
    CORE4_OPTION_mongodb__sysDatabase: uniqueName("embed"),
    CORE4_SECRET: SECRET,
  };

  it("prints a signed URL that a server with the same secret serves without login", async () => {
    const printed = await runCoco(
      ["embed-link", "/usage/login/plot", "aggregate=m", "start=2025-01-01", "--expires", "7d"],
      env,
    );
    expect(printed.code, printed.stderr).toBe(0);
    const url = new URL(printed.stdout.trim());
    // The configured host and port (server.publicUrl when set).
    expect(url.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url.pathname).toBe("/usage/login/plot");
    expect(url.searchParams.get("aggregate")).toBe("m");
    const expires = Number(url.searchParams.get("expires"));
    expect(Math.abs(expires - (Date.now() / 1000 + 7 * 86_400))).toBeLessThan(600);

    const server = await startUsageServer({}, { secret: SECRET });
    const response = await server.fetchAnonymous(`${url.pathname}${url.search}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
  });

  it("refuses a route that is not embeddable and an expiry beyond the maximum, exit 1 with one line", async () => {
    const route = await runCoco(["embed-link", "/core4/api/v1/roles"], env);
    expect(route.code).toBe(1);
    expect(route.stderr.trim().split("\n").at(-1)).toMatch(
      /^coco: \/core4\/api\/v1\/roles is not a route that accepts signed links; embeddable routes: .*\/usage\/login\/plot/,
    );
    const far = await runCoco(["embed-link", "/usage/login/plot", "--expires", "400d"], env);
    expect(far.code).toBe(1);
    expect(far.stderr.trim().split("\n").at(-1)).toMatch(/^coco: --expires: .* more than 365 days ahead/);
  });
});
