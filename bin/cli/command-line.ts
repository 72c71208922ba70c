import { existsSync } from "node:fs";
import { type Command, CommanderError } from "commander";
import { CliError, errorCode, errorLine, exitStatus } from "./cli-error.js";
import { exitAfterOutput } from "./output.js";

/** `coco …` and its subcommands' path, e.g. `coco role add`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** The usage line of a command, as printed after a usage error. */
export function usageLine(command: Command): string {
  return `usage: ${commandPath(command)} ${command.usage()}`;
}

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}

/**
 * Runs the command line with the behaviour every coco command shares (docs/contracts.md "CLI"): exit 0 on
 * success, 1 with one line on failure (JSON on stderr with a stable `code` when `--json` was given), 2 with
 * the usage line for an unknown flag, subcommand or missing argument; and never before stdout has drained.
 * Applied to all commands at parse time, so commands added anywhere in bin/coco.ts get it too.
 */
export async function runCommandLine(
  program: Command,
  argv: readonly string[] = process.argv,
): Promise<never> {
  let usageText = "";
  for (const command of everyCommand(program)) {
    command
      .exitOverride()
      .showHelpAfterError(command === program ? "(coco --help lists the commands)" : usageLine(command))
      .configureOutput({
        // Usage errors are printed once we know whether they should be JSON.
        writeErr: (text) => {
          usageText += text;
        },
        outputError: (text, write) => write(text),
      });
  }
  const json = argv.includes("--json");
  try {
    await program.parseAsync([...argv]);
    return await exitAfterOutput(0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      if (error.exitCode === 0) return await exitAfterOutput(0);
      if (json) {
        const message = error.message.replace(/^error: /, "");
        printJsonError({
          error: message,
          code: "usage",
          usage: usageText.split("\n").find((l) => l.startsWith("usage: ")),
        });
      } else {
        process.stderr.write(usageText.endsWith("\n") ? usageText : `${usageText}\n`);
      }
      return await exitAfterOutput(2);
    }
    reportError(error, { json, verbose: argv.includes("--verbose") });
    return await exitAfterOutput(exitStatus(error));
  }
}

function printJsonError(value: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify(value)}\n`);
}

/** Prints the error a command ended with: one line, or one JSON object with `--json`. */
export function reportError(error: unknown, options: { json: boolean; verbose: boolean }): void {
  const code = errorCode(error);
  let line = errorLine(error);
  if (code === "unknown_job") line += unknownJobHint();
  if (options.json) {
    const extra: Record<string, unknown> = {};
    const existingId = (error as { existingId?: unknown }).existingId;
    if (code === "duplicate" && typeof existingId === "string") extra.id = existingId;
    const argument = (error as { argument?: unknown }).argument;
    if (code === "bad_argument" && typeof argument === "string" && argument !== "") extra.argument = argument;
    printJsonError({ error: line, code, ...extra });
  } else {
    process.stderr.write(`coco: ${line}\n`);
  }
  if (options.verbose && error instanceof Error && error.stack && !(error instanceof CliError)) {
    process.stderr.write(`${error.stack}\n`);
  }
}

/** Where the plugins come from, for an unknown job name: the usual cause is a config that was not read. */
function unknownJobHint(): string {
  const file = process.env.CORE4_CONFIG;
  if (file) return `; plugins are listed under "plugins" in ${file} (CORE4_CONFIG)`;
  if (existsSync("core4.yaml")) return '; plugins are listed under "plugins" in ./core4.yaml';
  return '; no config file was read: list your plugin under "plugins" in ./core4.yaml or set CORE4_CONFIG';
}
