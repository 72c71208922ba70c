import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import * as cli from "../../bin/cli/cli-error.js";
import { CORE4_ERROR_CODES } from "../../framework/errors/core4-error.js";
import * as framework from "../../framework/index.js";
import { Core4Error, CoreJob, definePlugin, JobQueue } from "../../framework/index.js";
import * as usage from "../../plugins/usage/index.js";
import * as server from "../../server/index.js";
import { defineRoutes, type PluginRoutes } from "../../server/index.js";
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from "../server/support/test-server.js";

type ErrorClass = new (...args: unknown[]) => Error;

/** Every error class an entry point exports (the base aside), so a new one without a code fails here. */
function errorClasses(entry: Record<string, unknown>): [string, ErrorClass][] {
  return Object.entries(entry).filter(
    (pair): pair is [string, ErrorClass] =>
      typeof pair[1] === "function" &&
      pair[1] !== Core4Error &&
      (pair[1] as { prototype?: unknown }).prototype instanceof Error,
  );
}

/** An instance, whatever the constructor's parameters (all take strings or a status first). */
function sample(Class: ErrorClass): Error {
  return new Class("first", "second");
}

const own = [...errorClasses(framework), ...errorClasses(server)];
const plugin = errorClasses(usage);
const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

describe("the error classes", () => {
  it("are exported: the framework's, the server's and the usage plugin's", () => {
    const names = [...own, ...plugin].map(([name]) => name);
    expect(names).toEqual(
      expect.arrayContaining(["JobArgumentError", "ConfigError", "HttpError", "ReportArgumentError"]),
    );
    expect(names.length).toBeGreaterThanOrEqual(17);
  });

  it.each([...own, ...plugin])(
    "%s is a Core4Error with its own name and an upper-snake code",
    (name, Class) => {
      const error = sample(Class);
      expect(error).toBeInstanceOf(Core4Error);
      expect(error).toBeInstanceOf(Class);
      expect(Core4Error.is(error)).toBe(true);
      expect(error.name).toBe(name);
      expect((error as Core4Error).code).toMatch(UPPER_SNAKE);
    },
  );

  it("have one code each, and the framework's and server's are exactly the documented list", () => {
    const codes = [...own, ...plugin].map(([, Class]) => (sample(Class) as Core4Error).code);
    expect(new Set(codes).size).toBe(codes.length);
    const ownCodes = own.map(([, Class]) => (sample(Class) as Core4Error).code).sort();
    expect(ownCodes).toEqual([...CORE4_ERROR_CODES].sort());
    for (const [, Class] of plugin) expect((sample(Class) as Core4Error).code).toMatch(/^USAGE_/);
  });

  it("keep their constructors, extra fields and cause", () => {
    const cause = new Error("underneath");
    const argument = new framework.JobArgumentError("day: not a date", "day", { cause });
    expect(argument).toMatchObject({
      argument: "day",
      code: "JOB_ARGUMENT_INVALID",
      kind: "invalid_argument",
    });
    expect(argument.cause).toBe(cause);
    expect(new framework.JobExistsError("queued", "42")).toMatchObject({
      existingId: "42",
      code: "JOB_EXISTS",
    });
    expect(new framework.JobRunError("ended", "error", { cause }).cause).toBe(cause);
    const http = new server.HttpError(429, "slow down", { "Retry-After": "1" });
    expect(http).toMatchObject({ status: 429, headers: { "Retry-After": "1" }, code: "HTTP_ERROR" });
    expect(new usage.ReportArgumentError("end", "end: before start")).toMatchObject({
      argument: "end",
      message: "end: before start",
      kind: "invalid_argument",
    });
  });

  it("are recognised across copies of the package, and other errors are not", () => {
    // What a second copy of core4ts makes: another class, the same registered brand.
    class ForeignError extends Error {
      readonly code = "JOB_NOT_FOUND";
      readonly kind = "not_found";
      get [Symbol.for("core4ts.error")]() {
        return true;
      }
    }
    expect(Core4Error.is(new ForeignError("x"))).toBe(true);
    expect(cli.errorCode(new ForeignError("x"))).toBe("not_found");
    expect(Core4Error.is(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(false);
    expect(Core4Error.is({ code: "JOB_NOT_FOUND", message: "x" })).toBe(false);
  });
});

describe("the CLI's --json codes", () => {
  it.each([
    [new framework.JobArgumentError("bad", "day"), "bad_argument"],
    [new usage.ReportArgumentError("start", "start: not a date"), "bad_argument"],
    [new framework.JobExistsError("queued", "1"), "duplicate"],
    [new framework.JobNotFoundError("no job"), "not_found"],
    [new framework.UnknownJobError("no such job"), "unknown_job"],
    [new framework.JobStateError("running"), "bad_state"],
    [new framework.ConfigError("bad key"), "config"],
    [new framework.CollectionRefError("bad ref"), "config"],
    [new framework.ServiceError("redis down"), "unavailable"],
    [new framework.JobRunError("ended", "error"), "failed"],
    [new framework.JobDefinitionError("no jobName"), "error"],
    [new Error("anything"), "error"],
    [new cli.UsageError("missing <job>"), "usage"],
  ] as const)("%s → %s", (error, code) => {
    expect(cli.errorCode(error)).toBe(code);
  });
});

class BadSizeError extends Core4Error {
  override readonly name = "BadSizeError";
  readonly code = "SHAPES_BAD_SIZE";
  override readonly kind = "invalid_argument";
}

const args = z.object({ day: z.string() });

class Condense extends CoreJob<typeof args> {
  static override readonly jobName = "errortest.Condense";
  static override readonly args = args;
  override execute(): void {}
}

const throwing = definePlugin<PluginRoutes>({
  name: "errortest",
  jobs: [Condense],
  routes: defineRoutes((router) => {
    router.get("/errortest/plugin-argument", () => {
      throw new BadSizeError("size: expected 1 to 10, got 11\nsecond line never shown");
    });
    router.get("/errortest/unavailable", () => {
      throw new framework.ServiceError("redis at redis://***@10.0.0.1:6379 cannot be reached");
    });
    router.get("/errortest/unexpected", () => {
      throw new Error("secret internal detail");
    });
  }),
});

describe("HTTP replies to core4ts errors", () => {
  let app: TestServer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    app = await startTestServer({ plugins: [throwing], queue: (runtime) => new JobQueue(runtime) });
    auth = { ...bearer(await app.login("admin", ADMIN_PASSWORD)), "content-type": "application/json" };
  });

  async function request(path: string, body?: unknown) {
    const response = await app.fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers: auth,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text(), id: response.headers.get("x-request-id") };
  }

  it("answer a bad job argument with 400, an unknown job with 404 and a duplicate with 409", async () => {
    const bad = await request("/core4/api/v1/jobs", { name: "errortest.Condense", args: { day: 7 } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ code: 400, message: "Bad Request", data: null });
    expect(JSON.parse(bad.text).error).toContain("day");

    const unknown = await request("/core4/api/v1/jobs", { name: "errortest.Nothing" });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text).error).toContain("errortest.Nothing");
    expect((await request("/core4/api/v1/jobs/0123456789abcdef01234567")).status).toBe(404);

    const first = await request("/core4/api/v1/jobs", { name: "errortest.Condense", args: { day: "d1" } });
    expect(first.status).toBe(201);
    const again = await request("/core4/api/v1/jobs", { name: "errortest.Condense", args: { day: "d1" } });
    expect(again.status).toBe(409);
    expect(Object.keys(JSON.parse(again.text)).sort()).toEqual([
      "_id",
      "code",
      "data",
      "error",
      "message",
      "timestamp",
    ]);

    // The stable code goes to the access log, not into the envelope.
    await app.flushLogs();
    const logged = await app.sysDb.collection("sys.log").findOne({ identifier: again.id, status: 409 });
    expect(logged?.error_code).toBe("JOB_EXISTS");
  });

  it("answer a plugin's own argument error with 400 and its first line", async () => {
    const reply = await request("/errortest/plugin-argument");
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text).error).toBe("size: expected 1 to 10, got 11");
  });

  it("answer an unreachable service with 503 and no detail", async () => {
    const reply = await request("/errortest/unavailable");
    expect(reply.status).toBe(503);
    expect(reply.text).not.toContain("10.0.0.1");
    expect(JSON.parse(reply.text).error).toBe(
      `service unavailable: see the server log for request ${reply.id}`,
    );
  });

  it("answer an unexpected error with 500, without message or stack", async () => {
    const reply = await request("/errortest/unexpected");
    expect(reply.status).toBe(500);
    expect(reply.text).not.toContain("secret internal detail");
    expect(reply.text).not.toContain("at ");
    expect(JSON.parse(reply.text)).not.toHaveProperty("traceback");
  });
});
