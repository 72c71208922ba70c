/** An error the CLI prints as one line and exits 1 on. */
export class CliError extends Error {
  override readonly name = "CliError";
}

/** The one line printed for an error: its message, without "Error:" noise. */
export function errorLine(error: unknown): string {
  if (error instanceof Error) {
    const first = (error.message || error.name).split("\n")[0] ?? error.name;
    return first.trim();
  }
  return String(error);
}
