/** What every command family shares: the command table types and the argument readers. */
import { Long } from "bson";
import type { ConnectionAuthState } from "../auth/scram-authenticator.js";
import { type Doc, isPlainObject } from "../bson-values.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import { evaluateVariables } from "../mingo-adapter.js";

/** Per-connection facts and state a command may need (one object per connection, kept across commands). */
export interface CommandContext {
  connectionId: number;
  /** Who is logged in on this connection, and the SCRAM exchange in progress. */
  auth: ConnectionAuthState;
}

/** A fresh context for a new connection. */
export function newCommandContext(connectionId: number): CommandContext {
  return { connectionId, auth: { nextConversationId: 1 } };
}

/** Runs one command for a database. */
export type Handler = (cmd: Doc, db: string, ctx: CommandContext) => Doc | Promise<Doc>;

/** One command: how it runs and what it accepts. */
export interface CommandDef {
  run: Handler;
  /** Accepted fields besides the command name and the generic ones; undefined = accept anything. */
  fields?: string[];
  /** True for commands that change data: the reply waits until the journal has them on disk. */
  writes?: boolean;
}

/** Commands of one family by name (aliases included). */
export type CommandTable = Record<string, CommandDef>;

/** A non-empty string argument, or TypeMismatch. */
export function str(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new CommandError(ErrorCodes.TypeMismatch, `${what} must be a non-empty string`);
  }
  return value;
}

/** An optional document argument, or TypeMismatch. */
export function optDoc(value: unknown, what: string): Doc | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw new CommandError(ErrorCodes.TypeMismatch, `${what} must be a document`);
  return value;
}

/** An optional number argument (int32, int64 or double, truncated), or TypeMismatch. */
export function optNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = value instanceof Long ? value.toNumber() : value;
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw new CommandError(ErrorCodes.TypeMismatch, `${what} must be a number`);
  }
  return Math.trunc(n);
}

/** A cursor id as sent by the driver (int64), or TypeMismatch. */
export function cursorIdOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (value instanceof Long) return value.toNumber();
  throw new CommandError(ErrorCodes.TypeMismatch, "cursor id must be an int64");
}

/** A `writeErrors` entry for the statement at `index`. */
export function writeError(index: number, error: unknown): Doc {
  if (error instanceof CommandError)
    return { index, code: error.code, errmsg: error.message, ...error.extra };
  return { index, code: ErrorCodes.BadValue, errmsg: error instanceof Error ? error.message : String(error) };
}

/** A command's `let` variables, evaluated (each value is an expression). */
export function optLet(value: unknown): Doc | undefined {
  return evaluateVariables(optDoc(value, "let"));
}
