import { stringify } from "csv-stringify/sync";
import { escapeHtml } from "./html.js";
import { cellText, type Table } from "./table.js";

/** Spreadsheet formula triggers (OWASP CSV injection), including tab and carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Neutralises a text cell a spreadsheet would run as a formula by prefixing a single quote. Only text is
 * touched: numbers (including negative ones) stay numbers.
 */
export function neutraliseFormula(value: unknown): string {
  const text = cellText(value);
  return typeof value === "string" && FORMULA_START.test(text) ? `'${text}` : text;
}

/** RFC 4180 CSV (CRLF line ends, quoting as needed) with a header row and formula cells neutralised. */
export function tableToCsv(table: Table): string {
  const records = table.rows.map((row) => table.columns.map((c) => neutraliseFormula(row[c])));
  return stringify([table.columns.map((c) => neutraliseFormula(c)), ...records], {
    record_delimiter: "windows",
    // csv-stringify quotes LF but not a lone CR, which RFC 4180 also requires quoted.
    quoted_match: /\r/,
  });
}

/** An HTML `<table>` with every header and cell escaped. */
export function tableToHtml(table: Table): string {
  const head = table.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join("");
  const body = table.rows
    .map((row) => `<tr>${table.columns.map((c) => `<td>${escapeHtml(cellText(row[c]))}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Plain text with aligned columns: numbers right-aligned, everything else left-aligned. */
export function tableToText(table: Table): string {
  const cells = table.rows.map((row) => table.columns.map((c) => cellText(row[c]).replace(/[\r\n\t]/g, " ")));
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...cells.map((r) => (r[i] as string).length)),
  );
  const numeric = table.columns.map(
    (c) => table.rows.length > 0 && table.rows.every((r) => typeof r[c] === "number"),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(table.columns), rule, ...cells.map(line)].join("\n") + "\n";
}
