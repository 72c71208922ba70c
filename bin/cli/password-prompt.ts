import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";

/** A terminal to ask on: the input and where the questions go. */
export interface PromptStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/**
 * Asks for a password on a terminal without echoing it: what is typed is not written back, so it shows
 * neither on screen nor, unlike `--password`, in the process list. Asks twice and refuses a mismatch.
 */
export async function promptNewPassword(
  what: string,
  streams: PromptStreams = { input: process.stdin, output: process.stderr },
): Promise<string> {
  const first = await ask(`${what}: `, streams);
  const second = await ask("Repeat it: ", streams);
  if (first !== second) throw new Error("the two passwords differ");
  return first;
}

async function ask(question: string, { input, output }: PromptStreams): Promise<string> {
  let muted = false;
  // readline echoes keystrokes through its output: pass the question, swallow the echo.
  const echo = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input, output: echo, terminal: true });
  try {
    const answer = rl.question(question);
    muted = true;
    return await answer;
  } finally {
    rl.close();
    output.write("\n");
  }
}
