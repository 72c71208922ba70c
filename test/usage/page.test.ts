import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { renderChart } from "../../plugins/usage/chart/render-chart.js";
import { renderPage } from "../../plugins/usage/page/render-page.js";
import type { UsageReport } from "../../plugins/usage/types.js";

const report: UsageReport = {
  start: "2026-11-01",
  end: "2026-11-27",
  aggregate: "week",
  timezone: "Europe/Berlin",
  weekStartsOn: "monday",
  rows: [
    {
      label: "2026-W44",
      start: "2026-10-26",
      end: "2026-11-01",
      users: 2,
      logins: 3,
      partial: true,
      new_users: 1,
      returning_users: 1,
    },
    {
      label: "2026-W45",
      start: "2026-11-02",
      end: "2026-11-08",
      users: 0,
      logins: 0,
      partial: false,
      new_users: 0,
      returning_users: 0,
    },
    {
      label: "2026-W46",
      start: "2026-11-09",
      end: "2026-11-15",
      users: 5,
      logins: 9,
      partial: false,
      new_users: 4,
      returning_users: 1,
    },
  ],
  total: { users: 6, logins: 12, new_users: 5, returning_users: 1 },
  dataThrough: "2026-11-26",
};

function page(html: string): Document {
  return new JSDOM(html).window.document;
}

describe("usage page", () => {
  const html = renderPage({
    basePath: "/usage/login",
    report,
    svg: renderChart(report.rows, { title: "Distinct users per week" }),
    form: {},
    timezone: report.timezone,
  });
  const doc = page(html);

  it("inlines the chart and shows zone, data-through and the range total", () => {
    expect(doc.querySelector("figure svg")?.getAttribute("role")).toBe("img");
    const meta = doc.querySelector(".meta")?.textContent ?? "";
    expect(meta).toContain("Europe/Berlin");
    expect(meta).toContain("data through 2026-11-26");
    expect(doc.querySelector(".totals")?.textContent).toContain("6 distinct users with 12 logins");
  });

  it("has a working form without JavaScript", () => {
    expect(doc.getElementsByTagName("script")).toHaveLength(0);
    const form = doc.querySelector("form");
    expect(form?.getAttribute("method")).toBe("get");
    expect(form?.getAttribute("action")).toBe("/usage/login");
    expect((doc.querySelector("input[name=start]") as HTMLInputElement).value).toBe("2026-11-01");
    expect((doc.querySelector("input[name=end]") as HTMLInputElement).value).toBe("2026-11-27");
    expect((doc.querySelector("select[name=aggregate]") as HTMLSelectElement).value).toBe("week");
  });

  it("links CSV and JSON downloads of the same range", () => {
    const hrefs = [...doc.querySelectorAll(".downloads a")].map((a) => a.getAttribute("href"));
    expect(hrefs).toContain(
      "/usage/login/raw?start=2026-11-01&end=2026-11-27&aggregate=week&content_type=csv",
    );
    expect(hrefs).toContain(
      "/usage/login/raw?start=2026-11-01&end=2026-11-27&aggregate=week&content_type=json",
    );
  });

  it("tables the rows with the range total", () => {
    const rows = [...doc.querySelectorAll("tbody tr")].map((tr) =>
      [...tr.children].map((c) => c.textContent ?? ""),
    );
    expect(rows).toEqual([
      ["2026-W44", "2026-10-26", "2026-11-01", "2", "3", "partial", "1", "1"],
      ["2026-W45", "2026-11-02", "2026-11-08", "0", "0", "", "0", "0"],
      ["2026-W46", "2026-11-09", "2026-11-15", "5", "9", "", "4", "1"],
    ]);
    expect(doc.querySelector("tbody tr")?.className).toBe("partial");
    expect(doc.querySelector("tfoot")?.textContent).toContain("6");
  });

  it("escapes rejected input and shows the error", () => {
    const hostile = `"><script>alert(1)</script>`;
    const errorDoc = page(
      renderPage({
        basePath: "/usage/login",
        form: { start: hostile, aggregate: hostile },
        error: `start: "${hostile}" is not an ISO date`,
        timezone: "UTC",
      }),
    );
    expect(errorDoc.getElementsByTagName("script")).toHaveLength(0);
    expect(errorDoc.querySelector(".error")?.textContent).toContain(hostile);
    expect((errorDoc.querySelector("input[name=start]") as HTMLInputElement).getAttribute("value")).toBe(
      hostile,
    );
  });
});
