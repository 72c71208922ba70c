import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { CHAR_WIDTH } from "../../plugins/usage/chart/line-chart.js";
import { integerTicks, labelStep, renderChart } from "../../plugins/usage/chart/render-chart.js";
import { enumeratePeriods } from "../../plugins/usage/periods.js";
import type { ReportRow } from "../../plugins/usage/types.js";

const { window } = new JSDOM("");
const SVG_NS = "http://www.w3.org/2000/svg";

/** Parses as a standalone XML document, as an image viewer or <img> would. */
function parseSvg(text: string): XMLDocument {
  const doc = new window.DOMParser().parseFromString(text, "image/svg+xml");
  expect(doc.getElementsByTagName("parsererror")).toHaveLength(0);
  return doc;
}

function weeks(count: number, users: (i: number) => number): ReportRow[] {
  const periods = enumeratePeriods("2020-01-06", "2030-01-01", "week").slice(0, count);
  return periods.map((p, i) => ({
    ...p,
    users: users(i),
    logins: users(i) * 2,
    partial: i === count - 1,
    new_users: 0,
    returning_users: users(i),
  }));
}

describe("chart", () => {
  it("is a valid standalone SVG with role, title and desc first", () => {
    const doc = parseSvg(
      renderChart(
        weeks(12, (i) => i % 5),
        { title: "Distinct users per week" },
      ),
    );
    const root = doc.documentElement;
    expect(root.namespaceURI).toBe(SVG_NS);
    expect(root.getAttribute("role")).toBe("img");
    expect(root.getAttribute("viewBox")).toBe("0 0 800 320");
    expect(root.hasAttribute("width")).toBe(false);
    expect(root.children[0]?.localName).toBe("title");
    expect(root.children[0]?.textContent).toBe("Distinct users per week");
    expect(root.children[1]?.localName).toBe("desc");
  });

  it("escapes hostile text and never writes HTML entities", () => {
    const hostile = `</title><script>alert("x")</script> & \u00a0 'quoted'`;
    const text = renderChart(
      weeks(3, () => 1),
      { title: hostile, description: hostile },
    );
    expect(text).not.toContain("<script>");
    expect(text).not.toContain("&nbsp;");
    const doc = parseSvg(text);
    expect(doc.getElementsByTagName("script")).toHaveLength(0);
    expect(doc.documentElement.children[0]?.textContent).toBe(hostile);
  });

  it("has one tooltip per point and marks partial periods", () => {
    const rows = weeks(10, (i) => i);
    const doc = parseSvg(renderChart(rows, { title: "t" }));
    const circles = [...doc.getElementsByTagName("circle")];
    expect(circles).toHaveLength(10);
    expect(circles[3]?.getElementsByTagName("title")[0]?.textContent).toBe(
      `${rows[3]?.label} (${rows[3]?.start} to ${rows[3]?.end}): 3 users, 6 logins`,
    );
    const partial = circles.filter((c) => c.getAttribute("class") === "partial");
    expect(partial).toHaveLength(1);
    expect(partial[0]?.getElementsByTagName("title")[0]?.textContent).toContain("(partial period)");
    const dashed = [...doc.getElementsByTagName("path")].filter((p) => p.getAttribute("stroke-dasharray"));
    expect(dashed.length).toBeGreaterThan(0);
  });

  it("uses integer y ticks from 0", () => {
    expect(integerTicks(1)).toEqual([0, 1]);
    expect(integerTicks(3)).toEqual([0, 1, 2, 3]);
    expect(integerTicks(0)).toEqual([0, 1]);
    expect(integerTicks(97)[0]).toBe(0);
    expect(integerTicks(97).every(Number.isInteger)).toBe(true);
    const doc = parseSvg(
      renderChart(
        weeks(5, () => 3),
        { title: "t" },
      ),
    );
    const labels = [...doc.querySelectorAll(".y-axis text")].map((t) => t.textContent);
    expect(labels).toEqual(["0", "1", "2", "3"]);
  });

  it("thins period labels on long ranges but keeps every point", () => {
    const doc = parseSvg(
      renderChart(
        weeks(260, (i) => i % 40),
        { title: "5 years" },
      ),
    );
    const labels = doc.querySelectorAll(".x-axis .tick text");
    expect(labels.length).toBeGreaterThan(5);
    expect(labels.length).toBeLessThan(60);
    expect(doc.getElementsByTagName("circle")).toHaveLength(260);
    expect(labelStep(10, 700, 8)).toBe(1);
  });

  it("shows an empty-data state", () => {
    const doc = parseSvg(
      renderChart(
        weeks(4, () => 0),
        { title: "t" },
      ),
    );
    expect(doc.querySelector(".empty")?.textContent).toBe("No logins in this range");
    expect(parseSvg(renderChart([], { title: "t" })).querySelector(".empty")?.textContent).toBe(
      "No periods in this range",
    );
  });

  it("sets width and height only when asked", () => {
    const root = parseSvg(
      renderChart(
        weeks(4, () => 2),
        { title: "t", width: 400, height: 200 },
      ),
    ).documentElement;
    expect(root.getAttribute("width")).toBe("400");
    expect(root.getAttribute("height")).toBe("200");
    expect(root.getAttribute("viewBox")).toBe("0 0 400 200");
  });
});

describe("x-axis labels", () => {
  it("all lie inside the viewBox for any range, aggregate and width", () => {
    const aggregates = ["day", "week", "month", "quarter", "year"] as const;
    const lengths = [1, 7, 31, 90, 400, 1830];
    for (const aggregate of aggregates) {
      for (const days of lengths) {
        const end = "2026-11-27";
        const start = new Date(Date.parse(`${end}T00:00:00Z`) - (days - 1) * 86_400_000)
          .toISOString()
          .slice(0, 10);
        const rows: ReportRow[] = enumeratePeriods(start, end, aggregate).map((p, i) => ({
          ...p,
          users: i % 7,
          logins: i % 7,
          partial: false,
          new_users: 0,
          returning_users: i % 7,
        }));
        for (const width of [undefined, 320]) {
          const doc = parseSvg(renderChart(rows, { title: "t", width }));
          const viewWidth = Number(doc.documentElement.getAttribute("viewBox")?.split(" ")[2]);
          const plot = doc.querySelector("svg > g:not(.legend)");
          const left = Number(/translate\(([\d.]+),/.exec(plot?.getAttribute("transform") ?? "")?.[1]);
          const ticks = [...doc.querySelectorAll(".x-axis .tick")];
          expect(ticks.length, `${aggregate} ${days}`).toBeGreaterThan(0);
          const last = ticks[ticks.length - 1];
          expect(last?.textContent, `${aggregate} ${days}: the last label is whole`).toMatch(
            /^\d{4}(-[\dQW]+)*$/,
          );
          for (const tick of ticks) {
            const x = left + Number(/translate\(([\d.]+),/.exec(tick.getAttribute("transform") ?? "")?.[1]);
            const half = ((tick.textContent ?? "").length * CHAR_WIDTH) / 2;
            const where = `${aggregate}, ${days} days, width ${width}: ${tick.textContent} at ${x}`;
            expect(x - half, where).toBeGreaterThanOrEqual(0);
            expect(x + half, where).toBeLessThanOrEqual(viewWidth);
          }
        }
      }
    }
  });
});
