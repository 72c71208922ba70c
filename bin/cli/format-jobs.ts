import type { JobRecord } from "core4ts";

function iso(date: Date | null): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, "Z") : "-";
}

/** `coco jobs` output: one line per job, aligned columns. */
export function formatJobList(records: readonly JobRecord[]): string {
  if (records.length === 0) return "no jobs";
  const rows = records.map((r) => [
    r.id,
    r.name,
    r.workerLost ? "worker lost" : r.state,
    `${Math.round(r.progress.value * 100)}%`,
    `${r.attempts}/${r.attempts + r.attemptsLeft}`,
    iso(r.enqueued),
    r.runtime === null ? "-" : `${r.runtime.toFixed(1)}s`,
    r.error ?? r.progress.message ?? "",
  ]);
  const header = ["ID", "NAME", "STATE", "PROGRESS", "ATTEMPTS", "ENQUEUED", "RUNTIME", "MESSAGE"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

const WIDTH = 100;

/** Joins items with ", " into lines of at most WIDTH characters, continued lines indented by `indent`. */
function fold(items: readonly string[], indent: number): string {
  const lines: string[] = [];
  let line = "";
  for (const [i, item] of items.entries()) {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (line !== "" && indent + line.length + 1 + piece.length > WIDTH) {
      lines.push(line);
      line = piece;
    } else {
      line = line === "" ? piece : `${line} ${piece}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

/** `coco job <id>` output: one `key: value` line per field. */
export function formatJobDetail(record: JobRecord): string {
  const lines: [string, string][] = [
    ["id", record.id],
    ["name", record.name],
    ["state", record.workerLost ? "worker lost" : record.state],
    ["args", JSON.stringify(record.args)],
    [
      "progress",
      `${Math.round(record.progress.value * 100)}%${record.progress.message ? ` ${record.progress.message}` : ""}`,
    ],
    ["attempts", `${record.attempts} made, ${record.attemptsLeft} left`],
    ["enqueued", iso(record.enqueued)],
    ["started", iso(record.started)],
    ["finished", iso(record.finished)],
    ["runtime", record.runtime === null ? "-" : `${record.runtime.toFixed(3)} s`],
    ["sources", record.sources.length ? fold(record.sources, 10) : "-"],
    ["error", record.error ?? "-"],
  ];
  // A failed job's retry (after its backoff), a deferred or delayed job's next run.
  if (record.nextTry) lines.splice(9, 0, ["next try", iso(record.nextTry)]);
  return lines.map(([k, v]) => `${`${k}:`.padEnd(10)}${v}`).join("\n");
}
