/** Rows of plain objects with a fixed column order: what CSV, HTML and text replies render. */
export interface Table {
  /** Column names, in order. */
  readonly columns: readonly string[];
  /** Rows; a missing key is an empty cell. */
  readonly rows: readonly Readonly<Record<string, unknown>>[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Views data as a table when it is an array of plain objects (columns: the keys in first-seen order, or
 * the given ones); undefined for any other shape.
 */
export function asTable(data: unknown, columns?: readonly string[]): Table | undefined {
  if (!Array.isArray(data) || !data.every(isPlainObject)) return undefined;
  if (columns) return { columns, rows: data };
  const seen = new Set<string>();
  for (const row of data) for (const key of Object.keys(row)) seen.add(key);
  return { columns: [...seen], rows: data };
}

/** A cell as text: dates as ISO 8601, objects as JSON, null/undefined as empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
