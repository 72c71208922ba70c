import { JSDOM } from "jsdom";
import { beforeAll, describe, expect, it } from "vitest";
import { condenseDay } from "../../plugins/usage/condense-day.js";
import { ensureTargetIndexes } from "../../plugins/usage/indexes.js";
import type { LoginDoc, ReportRow } from "../../plugins/usage/types.js";
import { parseCsvObjects } from "../server/support/parse-csv.js";
import { startUsageServer, type UsageServer } from "./support/usage-server.js";

let server: UsageServer;
const RANGE = "start=2025-11-03&end=2025-11-23&aggregate=w";

const EXPECTED: ReportRow[] = [
  {
    label: "2025-W45",
    start: "2025-11-03",
    end: "2025-11-09",
    users: 2,
    logins: 4,
    partial: false,
    new_users: 2,
    returning_users: 0,
  },
  {
    label: "2025-W46",
    start: "2025-11-10",
    end: "2025-11-16",
    users: 0,
    logins: 0,
    partial: false,
    new_users: 0,
    returning_users: 0,
  },
  {
    label: "2025-W47",
    start: "2025-11-17",
    end: "2025-11-23",
    users: 2,
    logins: 2,
    partial: false,
    new_users: 1,
    returning_users: 1,
  },
];

function login(user: string, created: string) {
  return { created: new Date(created), level: "INFO", levelno: 20, message: "successful login", user };
}

beforeAll(async () => {
  server = await startUsageServer();
  const source = server.sysDb.collection("sys.log");
  await source.insertMany([
    login("dora", "2025-10-20T08:00:00Z"), // only in the range compare=previous looks at
    login("alice", "2025-11-03T08:00:00Z"),
    login("alice", "2025-11-05T08:00:00Z"),
    login("alice", "2025-11-07T08:00:00Z"),
    login("bob<&>", "2025-11-06T08:00:00Z"),
    login("admin", "2025-11-06T08:00:00Z"),
    login("alice", "2025-11-17T08:00:00Z"),
    login("carol", "2025-11-23T23:00:00Z"),
  ]);
  const target = server.usageDb.collection<LoginDoc>("login");
  await ensureTargetIndexes(target);
  for (const day of [
    "2025-10-20",
    "2025-11-03",
    "2025-11-05",
    "2025-11-06",
    "2025-11-07",
    "2025-11-17",
    "2025-11-23",
  ]) {
    await condenseDay(source, target, day, { timezone: "UTC", exclude: ["admin"] });
  }
  await server.sysDb
    .collection<{ _id: string; offset: string }>("sys.cookie")
    .insertOne({ _id: "usage.AggregateLogins", offset: "2025-11-24" });
});

describe("/usage/login/raw", () => {
  it("gives the same rows as JSON, CSV, HTML table and text", async () => {
    const json = await server.fetch(`/usage/login/raw?${RANGE}`);
    expect(json.status).toBe(200);
    const body = (await json.json()) as { code: number; data: ReportRow[] };
    expect(body.code).toBe(200);
    expect(body.data).toEqual(EXPECTED);

    const asStrings = EXPECTED.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])),
    );
    const csv = await server.fetch(`/usage/login/raw?${RANGE}&content_type=csv`);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const csvText = await csv.text();
    expect(csvText.split("\r\n")[0]).toBe("label,start,end,users,logins,partial,new_users,returning_users");
    expect(parseCsvObjects(csvText)).toEqual(asStrings);

    const html = await server.fetch(`/usage/login/raw?${RANGE}`, { headers: { accept: "text/html" } });
    const doc = new JSDOM(await html.text()).window.document;
    const headers = [...doc.querySelectorAll("thead th")].map((th) => th.textContent);
    const cells = [...doc.querySelectorAll("tbody tr")].map((tr) =>
      Object.fromEntries([...tr.children].map((td, i) => [headers[i], td.textContent])),
    );
    expect(cells).toEqual(asStrings);

    const text = await (await server.fetch(`/usage/login/raw?${RANGE}&content_type=text`)).text();
    for (const row of EXPECTED) expect(text).toContain(row.label);
  });

  it("adds the compared values with compare=previous, the same through JSON, CSV and HTML", async () => {
    // The previous 21 days, 2025-10-13 .. 2025-11-02: dora in the second week only.
    const withPrevious = EXPECTED.map((r, i) => ({
      ...r,
      previous_users: i === 1 ? 1 : 0,
      previous_logins: i === 1 ? 1 : 0,
    }));
    const json = (await (await server.fetch(`/usage/login/raw?${RANGE}&compare=previous`)).json()) as {
      data: ReportRow[];
    };
    expect(json.data).toEqual(withPrevious);
    const strings = withPrevious.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])),
    );
    const csv = await (
      await server.fetch(`/usage/login/raw?${RANGE}&compare=previous&content_type=csv`)
    ).text();
    expect(csv.split("\r\n")[0]).toBe(
      "label,start,end,users,logins,partial,new_users,returning_users,previous_users,previous_logins",
    );
    expect(parseCsvObjects(csv)).toEqual(strings);
    const html = await server.fetch(`/usage/login/raw?${RANGE}&compare=previous`, {
      headers: { accept: "text/html" },
    });
    const doc = new JSDOM(await html.text()).window.document;
    const headers = [...doc.querySelectorAll("thead th")].map((th) => th.textContent);
    const cells = [...doc.querySelectorAll("tbody tr")].map((tr) =>
      Object.fromEntries([...tr.children].map((td, i) => [headers[i], td.textContent])),
    );
    expect(cells).toEqual(strings);

    const page = new JSDOM(await (await server.fetch(`/usage/login?${RANGE}&compare=previous`)).text()).window
      .document;
    const rows = [...page.querySelectorAll("tbody tr")].map((tr) =>
      [...tr.children].map((c) => c.textContent),
    );
    expect(rows.map((r) => r.slice(8))).toEqual([
      ["0", "0", "▲ 2"],
      ["1", "1", "▼ 1 (−100%)"],
      ["0", "0", "▲ 2"],
    ]);
    expect(page.querySelector('select[name="compare"] option[selected]')?.getAttribute("value")).toBe(
      "previous",
    );
    const svg = page.querySelector("figure svg");
    expect(svg?.querySelector("path.previous")?.getAttribute("stroke-dasharray")).toBe("5 4");
    expect(Number(svg?.querySelector("path.previous")?.getAttribute("stroke-opacity"))).toBeLessThan(1);
  });

  it("answers POST with a JSON or form body like GET", async () => {
    const get = (await (await server.fetch(`/usage/login/raw?${RANGE}`)).json()) as { data: unknown };
    const postJson = await server.fetch("/usage/login/raw", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ start: "2025-11-03", end: "2025-11-23", aggregate: "W" }),
    });
    expect(((await postJson.json()) as { data: unknown }).data).toEqual(get.data);
    const postForm = await server.fetch("/usage/login/raw", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: RANGE,
    });
    expect(((await postForm.json()) as { data: unknown }).data).toEqual(get.data);
  });

  it("rejects bad arguments with 400 naming the argument", async () => {
    for (const [query, argument] of [
      ["start=someday", "start"],
      ["start=2025-11-10&end=2025-11-01", "end"],
      ["aggregate=fortnight", "aggregate"],
      ["start=2000-01-01&end=2025-01-01", "start"],
    ] as const) {
      const response = await server.fetch(`/usage/login/raw?${query}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: string };
      expect(body.error.startsWith(`${argument}:`)).toBe(true);
    }
  });

  it("needs a login", async () => {
    expect((await server.fetchAnonymous(`/usage/login/raw?${RANGE}`)).status).toBe(401);
  });
});

describe("/usage/login/plot", () => {
  it("is a standalone SVG document", async () => {
    const response = await server.fetch(`/usage/login/plot?${RANGE}&width=640&height=300`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    const text = await response.text();
    const doc = new new JSDOM("").window.DOMParser().parseFromString(text, "image/svg+xml");
    expect(doc.getElementsByTagName("parsererror")).toHaveLength(0);
    expect(doc.documentElement.getAttribute("width")).toBe("640");
    expect(doc.getElementsByTagName("circle")).toHaveLength(3);
    expect((await server.fetch("/usage/login/plot?width=huge")).status).toBe(400);
  });
});

describe("/usage/login", () => {
  it("renders the page with the same rows, totals and data-through", async () => {
    const response = await server.fetch(`/usage/login?${RANGE}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const doc = new JSDOM(await response.text()).window.document;
    const rows = [...doc.querySelectorAll("tbody tr")].map((tr) =>
      [...tr.children].map((c) => c.textContent),
    );
    expect(rows).toEqual(
      EXPECTED.map((r) => [
        r.label,
        r.start,
        r.end,
        String(r.users),
        String(r.logins),
        r.partial ? "partial" : "",
        String(r.new_users),
        String(r.returning_users),
      ]),
    );
    expect(doc.querySelector(".totals")?.textContent).toContain("3 distinct users with 6 logins");
    expect(doc.querySelector(".meta")?.textContent).toContain("data through 2025-11-24");
    expect(doc.querySelector("figure svg")).not.toBeNull();
    // The Embed box: a ready <img> snippet with a signed link to this chart that works without login.
    const snippet = doc.querySelector(".embed textarea")?.textContent ?? "";
    const src = /<img src="([^"]+)"/.exec(snippet)?.[1] ?? "";
    const url = new URL(src.replaceAll("&amp;", "&"));
    expect(url.pathname).toBe("/usage/login/plot");
    expect(url.searchParams.get("aggregate")).toBe("w");
    const embedded = await server.fetchAnonymous(`${url.pathname}${url.search}`);
    expect(embedded.status).toBe(200);
    expect(embedded.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
  });

  it("shows bad arguments on the page with status 400, escaped", async () => {
    const response = await server.fetch(`/usage/login?start=${encodeURIComponent("<script>x</script>")}`);
    expect(response.status).toBe(400);
    const doc = new JSDOM(await response.text()).window.document;
    expect(doc.getElementsByTagName("script")).toHaveLength(0);
    expect(doc.querySelector(".error")?.textContent).toMatch(/^start:/);
  });
});
