/** Writes a line (or lines) of command output to stdout. */
export function print(value: string): void {
  process.stdout.write(value.endsWith("\n") ? value : `${value}\n`);
}

/** Writes data as indented JSON (`--json`). */
export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/**
 * Resolves once everything written to stdout and stderr has been handed to the OS. A pipe read slowly
 * (`coco jobs --json | (sleep 2; wc -c)`) holds writes in Node's buffer: exiting before they drain cuts the
 * output at the pipe's 64 KiB (docs/contracts.md "CLI": output is complete even when read slowly).
 */
export async function drainOutput(): Promise<void> {
  await Promise.all([process.stdout, process.stderr].map(flushed));
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  // An empty write calls back after every earlier write has been flushed (writes complete in order).
  return new Promise((resolve) => {
    stream.write("", () => resolve());
    stream.once("error", () => resolve());
  });
}

/** Exits with `status` after the output has drained. */
export async function exitAfterOutput(status: number): Promise<never> {
  await drainOutput();
  process.exit(status);
}
