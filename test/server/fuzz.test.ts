import { beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue } from "../../framework/queue/index.js";
import { usageConfigSchema } from "../../plugins/usage/config.js";
import { createApp, type RouteInfo } from "../../server/index.js";
import { uniqueName } from "../support/services.js";
import { usageRoutesPlugin } from "../usage/support/usage-server.js";
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from "./support/test-server.js";

vi.setConfig({ testTimeout: 600_000 });

/**
 * A bounded fuzz test on loopback: hostile input to every route the app registers (core API and the usage
 * routes), with and without login, as query, JSON, form and broken bodies, and as path parameters. Every
 * reply must come within the deadline, never be a 5xx, and never carry the injected markup unescaped in
 * an HTML or SVG reply.
 */

const MARK = "x-fuzz-7f3a";
/** Markup that must never come back as markup. */
const MARKUP = [`<${MARK}>`, `"'><${MARK} a=1>`, `</title><${MARK}>`, `]]><${MARK}/>`];
const HOSTILE: readonly unknown[] = [
  ...MARKUP,
  "",
  " ",
  "0",
  "-1",
  "1e309",
  "NaN",
  "9".repeat(400),
  "x".repeat(5_000),
  "2026-02-30",
  "0000-00-00T99:99",
  "../../../etc/passwd",
  "%00\u0000",
  "\u202e\ud800",
  "'; DROP TABLE x; --",
  '{"$gt": ""}',
  "[1,2",
  '=HYPERLINK("http://evil")',
  "yes",
  "__proto__",
  { $ne: null },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  [[[[[]]]]],
  [MARKUP[0], MARKUP[1]],
  -0,
  1e308,
  true,
  null,
];
const PARAMS = [`<${MARK}>`, "%ZZ", "..%2F..%2Fx", "a".repeat(3_000), "%00", "%E0%A4%A", "constructor"];
const NAMES = [
  "start",
  "end",
  "aggregate",
  "width",
  "height",
  "compare",
  "format",
  "content_type",
  "name",
  "args",
  "state",
  "limit",
  "next",
  "username",
  "password",
  "perm",
  "email",
  "is_active",
  "error",
  "expires",
  "signature",
  "path",
];

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Probe {
  method: string;
  url: string;
  init: RequestInit;
}

function fillPath(path: string, value: string): string {
  return path.replace(/:[A-Za-z_]+/g, value);
}

function probesFor(route: RouteInfo, next: () => number, auth: Record<string, string>): Probe[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const args = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < 4; i++) out[pick(NAMES)] = pick(HOSTILE);
    return out;
  };
  const query = (values: Record<string, unknown>): string => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) {
      search.append(key, typeof value === "string" ? value : JSON.stringify(value));
    }
    return search.toString();
  };
  const probes: Probe[] = [];
  for (const method of route.methods) {
    // Logging out everywhere would end the token the fuzzing uses.
    const safe = (values: Record<string, unknown>) => {
      delete values.everywhere;
      return values;
    };
    for (const param of route.path.includes(":") ? PARAMS : [""]) {
      const path = fillPath(route.path, param);
      const headers = [auth, {}, { accept: "text/html" }, { ...auth, accept: "text/html" }];
      probes.push({ method, url: `${path}?${query(safe(args()))}`, init: { headers: pick(headers) } });
      if (method === "GET") {
        probes.push({
          method,
          url: `${path}?${query(safe(args()))}&content_type=html`,
          init: { headers: auth },
        });
        continue;
      }
      probes.push(
        {
          method,
          url: path,
          init: {
            headers: { ...auth, "content-type": "application/json" },
            body: JSON.stringify(safe(args())),
          },
        },
        {
          method,
          url: path,
          init: {
            headers: { ...auth, "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
            body: query(safe(args())),
          },
        },
        {
          method,
          url: path,
          init: {
            headers: { ...auth, "content-type": "application/json" },
            body: pick(["{", "[1,", '"\\u12', "{}x", `${"[".repeat(5_000)}${"]".repeat(5_000)}`]),
          },
        },
        {
          method,
          url: path,
          init: { headers: { ...auth, "content-type": "text/plain" }, body: pick(MARKUP) },
        },
      );
    }
  }
  return probes;
}

const args = z.object({ day: z.date(), reset: z.boolean().default(false) });

class Noop extends CoreJob.withArgs(args) {
  static override readonly jobName = "fuzz.Noop";
  override execute(): void {}
}

describe("fuzz: hostile input to every route", () => {
  let server: TestServer;
  let routes: readonly RouteInfo[];
  let auth: Record<string, string>;
  const plugins = [definePlugin({ name: "fuzz", jobs: [Noop] }), usageRoutesPlugin];

  beforeAll(async () => {
    server = await startTestServer({
      plugins,
      sections: { usage: usageConfigSchema },
      config: { usage: { login: `${uniqueName("fuzz")}/login` } },
      queue: (runtime) => new JobQueue(runtime),
    });
    // The same app, not listening, to read the routes it registers.
    const app = createApp({ runtime: server.runtime, plugins, env: { NODE_ENV: "test" } });
    routes = app.core4Routes;
    await app.dispose();
    auth = bearer(await server.login("admin", ADMIN_PASSWORD));
  });

  it("answers every probe in time, never with a 5xx or reflected markup", async () => {
    expect(routes.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        "/core4/api/v1/jobs",
        "/core4/api/v1/roles",
        "/usage/login",
        "/usage/login/plot",
      ]),
    );
    const next = random(12_345);
    const failures: string[] = [];
    let sent = 0;
    const statuses = new Map<number, number>();
    for (const route of routes) {
      for (const probe of probesFor(route, next, auth)) {
        sent++;
        const label = `${probe.method} ${probe.url.slice(0, 160)}`;
        let response: Response;
        try {
          response = await server.fetch(probe.url, {
            ...probe.init,
            method: probe.method,
            signal: AbortSignal.timeout(20_000),
          });
        } catch (error) {
          failures.push(`${label}: no reply (${String(error)})`);
          continue;
        }
        const body = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const type = response.headers.get("content-type") ?? "";
        if (response.status >= 500) failures.push(`${label}: ${response.status} ${body.slice(0, 200)}`);
        if (/html|svg/.test(type) && body.includes(`<${MARK}`)) failures.push(`${label}: reflected markup`);
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    // Handlers really ran: some probes got through to data, many were refused as bad input.
    console.log(`fuzz: ${sent} probes, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(10);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(50);
    // The server is still well after all that.
    expect((await server.fetch("/core4/api/v1/health")).status).toBe(200);
  });
});
