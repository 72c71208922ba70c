import { readFileSync } from "node:fs";
import { CliError } from "./cli-error.js";

/** One item of an `--each` file, with where it was written. */
export interface EachItem {
  /** 1-based line (JSON lines) or element (JSON array) number. */
  line: number;
  /** The job arguments of the item. */
  args: Record<string, unknown>;
}

/** What could not be read from an `--each` file. */
export interface EachProblem {
  line: number;
  error: string;
}

/**
 * Reads the items of `coco enqueue --each FILE` (`-` for stdin): a JSON array of argument objects, or JSON
 * lines (one object per line; blank lines are skipped). Lines that are not a JSON object are returned as
 * problems with their number, not thrown.
 */
export function readEachFile(path: string): {
  items: EachItem[];
  problems: EachProblem[];
  unit: "line" | "item";
} {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw new CliError(`--each: cannot read ${path === "-" ? "stdin" : path}: ${(error as Error).message}`);
  }
  const items: EachItem[] = [];
  const problems: EachProblem[] = [];
  const take = (line: number, value: unknown): void => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push({ line, error: "expected a JSON object of job arguments" });
    } else {
      items.push({ line, args: value as Record<string, unknown> });
    }
  };
  if (text.trimStart().startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new CliError(`--each: ${path} is not a JSON array: ${(error as Error).message}`);
    }
    (parsed as unknown[]).forEach((value, i) => {
      take(i + 1, value);
    });
    return { items, problems, unit: "item" };
  }
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === "") return;
    try {
      take(i + 1, JSON.parse(raw));
    } catch (error) {
      problems.push({ line: i + 1, error: `not JSON: ${(error as Error).message}` });
    }
  });
  return { items, problems, unit: "line" };
}
