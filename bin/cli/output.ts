/** Writes a line (or lines) of command output to stdout. */
export function print(value: string): void {
  process.stdout.write(value.endsWith("\n") ? value : `${value}\n`);
}

/** Writes data as indented JSON (`--json`). */
export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}
