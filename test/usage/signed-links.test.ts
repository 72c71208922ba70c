/**
 * Signed links (docs/contracts.md "HTTP", Signed links) end to end: created through the API, served
 * without login, refused with 403 after any tampering, after expiry, after the secret is rotated and on a
 * route that is not embeddable; creation refused with 400 for bad expiries and with 403 without the route's
 * permission.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { EmbedLinks } from "../../server/index.js";
import { bearer } from "../server/support/test-server.js";
import { startUsageServer, type UsageServer } from "./support/usage-server.js";

const SECRET = "signed-links-test-secret-0123456789";
const ARGS = { start: "2025-11-03", end: "2025-11-23", aggregate: "w" };

let server: UsageServer;

async function createLink(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return server.fetch("/core4/api/v1/embed", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function link(
  path: string,
  args: Record<string, string> = ARGS,
  expires: unknown = "1d",
): Promise<URL> {
  const response = await createLink({ path, args, expires });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: { url: string; expires: number } };
  return new URL(body.data.url);
}

function relative(url: URL): string {
  return `${url.pathname}${url.search}`;
}

beforeAll(async () => {
  server = await startUsageServer({}, { secret: SECRET });
});

describe("a signed link", () => {
  it("serves the plot, the raw rows and the page without login", async () => {
    const plot = await link("/usage/login/plot");
    expect(plot.origin).toBe(server.url);
    expect(plot.searchParams.get("signature")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const svg = await server.fetchAnonymous(relative(plot));
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect(svg.headers.get("cache-control")).toMatch(/^public, max-age=(300|29\d|2\d\d)$/);

    const raw = await server.fetchAnonymous(
      relative(await link("/usage/login/raw", { ...ARGS, content_type: "csv" })),
    );
    expect(raw.status).toBe(200);
    expect((await raw.text()).split("\r\n")[0]).toBe(
      "label,start,end,users,logins,partial,new_users,returning_users",
    );

    const page = await server.fetchAnonymous(relative(await link("/usage/login")));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<svg");
    // A visitor by signed link gets no Embed box: it cannot make links of its own.
    expect(html).not.toContain('class="embed"');

    for (const path of ["/usage/active", "/usage/active/raw", "/usage/active/plot"]) {
      const response = await server.fetchAnonymous(
        relative(await link(path, { start: "2025-11-01", end: "2025-11-30" })),
      );
      expect(response.status, path).toBe(200);
    }
  });

  it("gets 403 naming the problem after each kind of tampering", async () => {
    const url = await link("/usage/login/plot");
    const tamper = async (change: (u: URL) => void): Promise<{ status: number; error: string }> => {
      const copy = new URL(url);
      change(copy);
      const response = await server.fetchAnonymous(relative(copy), {
        headers: { accept: "application/json" },
      });
      const body = (await response.json()) as { error: string; data: unknown };
      expect(body.data).toBeNull();
      return { status: response.status, error: body.error };
    };
    const changed = [
      (u: URL) => u.searchParams.set("aggregate", "d"), // a changed argument
      (u: URL) => u.searchParams.delete("start"), // a removed one
      (u: URL) => u.searchParams.set("width", "400"), // an added one
      (u: URL) => u.searchParams.append("aggregate", "m"), // a repeated one (the last would win)
      (u: URL) => {
        u.pathname = "/usage/login/raw"; // another path
      },
      (u: URL) => u.searchParams.set("expires", String(Number(u.searchParams.get("expires")) + 3600)),
      (u: URL) => {
        const s = u.searchParams.get("signature") as string;
        u.searchParams.set("signature", `${s.slice(0, -1)}${s.endsWith("A") ? "B" : "A"}`);
      },
    ];
    for (const change of changed) {
      const { status, error } = await tamper(change);
      expect(status).toBe(403);
      expect(error).toMatch(/^signed link: the signature does not match/);
    }
    expect(await tamper((u) => u.searchParams.set("signature", "not-a-signature"))).toEqual({
      status: 403,
      error: "signed link: malformed signature (expected one base64url HMAC)",
    });
    expect((await tamper((u) => u.searchParams.set("expires", "tomorrow"))).error).toMatch(
      /malformed expires/,
    );
    // No report number leaks into a refusal.
    const refused = await server.fetchAnonymous(
      relative(new URL(url.href.replace("aggregate=w", "aggregate=d"))),
    );
    expect(await refused.text()).not.toMatch(/"users"|label,start/);
  });

  it("accepts its signature in one spelling only (not the same HMAC with other unused bits)", async () => {
    const url = new URL(await link("/usage/login/plot"));
    const signature = url.searchParams.get("signature") as string;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // 32 bytes in 43 characters: the last one's two lowest bits are unused.
    const last = alphabet[alphabet.indexOf(signature.at(-1) as string) ^ 1] as string;
    const respelled = `${signature.slice(0, -1)}${last}`;
    expect(Buffer.from(respelled, "base64url")).toEqual(Buffer.from(signature, "base64url"));
    url.searchParams.set("signature", respelled);
    const response = await server.fetchAnonymous(relative(url), { headers: { accept: "application/json" } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/signature does not match/);
  });

  it("expires", async () => {
    const links = new EmbedLinks(SECRET);
    const past = Math.floor(Date.now() / 1000) - 5;
    const expired = links.url(server.url, "/usage/login/plot", ARGS, past);
    const response = await server.fetchAnonymous(relative(new URL(expired)), {
      headers: { accept: "application/json" },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/^signed link: expired at /);
  });

  it("stops working when the secret is rotated", async () => {
    const url = await link("/usage/login/plot");
    expect((await server.fetchAnonymous(relative(url))).status).toBe(200);
    const rotated = await startUsageServer(
      { login: server.loginRef },
      { secret: "another-secret-after-rotation-42" },
    );
    const response = await rotated.fetchAnonymous(relative(url), { headers: { accept: "application/json" } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/signature does not match/);
  });

  it("is refused by a route that is not embeddable, and by POST", async () => {
    const links = new EmbedLinks(SECRET);
    const expires = Math.floor(Date.now() / 1000) + 600;
    const roles = links.url(server.url, "/core4/api/v1/roles", {}, expires);
    const response = await server.fetchAnonymous(relative(new URL(roles)), {
      headers: { accept: "application/json" },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toBe(
      "signed link: /core4/api/v1/roles does not accept signed links (not embeddable)",
    );
    const plot = await link("/usage/login/plot");
    const post = await server.fetchAnonymous(relative(plot), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ aggregate: "d" }),
    });
    expect(post.status).toBe(403);
  });
});

describe("POST /core4/api/v1/embed", () => {
  it("refuses expiries in the past or beyond the maximum, bad paths and bad arguments with 400", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        { path: "/usage/login/plot", expires: Math.floor(Date.now() / 1000) - 60 },
        /^expires: .* is in the past$/,
      ],
      [{ path: "/usage/login/plot", expires: "400d" }, /^expires: .* more than 365 days ahead/],
      [{ path: "/usage/login/plot", expires: "soon" }, /^expires: "soon" is not a duration/],
      [
        { path: "/core4/api/v1/roles" },
        /^path: \/core4\/api\/v1\/roles is not a route that accepts signed links$/,
      ],
      [{ path: "/usage/login/plot?aggregate=d" }, /^path: give the arguments in args/],
      [{ path: "usage" }, /^path: expected/],
      [{ path: "/usage/login/plot", args: { signature: "x" } }, /^args.signature: reserved/],
      [{ path: "/usage/login/plot", args: { start: { $gt: "" } } }, /^args.start: expected a string/],
    ];
    for (const [body, message] of cases) {
      const response = await createLink(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
    const ok = await createLink({ path: "/usage/login/plot", expires: "365d" });
    expect(ok.status).toBe(200);
  });

  it("needs the permission of the route itself", async () => {
    await server.server.roles.add({
      name: "viewer",
      password: "viewer-password-1",
      perm: ["api://usage/login/raw"],
    });
    const token = await server.server.login("viewer", "viewer-password-1");
    const denied = await server.server.fetch("/core4/api/v1/embed", {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(token) },
      body: JSON.stringify({ path: "/usage/login/plot" }),
    });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: string }).error).toMatch(/api:\/\/usage\/login\/plot/);
    const allowed = await server.server.fetch("/core4/api/v1/embed", {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(token) },
      body: JSON.stringify({ path: "/usage/login/raw", args: { aggregate: "m" } }),
    });
    expect(allowed.status).toBe(200);
    expect((await server.server.fetch("/core4/api/v1/embed", { method: "POST" })).status).toBe(401);
  });
});
