import { Binary } from "bson";
import type { Doc } from "../bson-values.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import { ScramConversation } from "./scram-conversation.js";
import { AUTH_DATABASE, type EmbeddedMongoAuth, ScramCredentials } from "./scram-credentials.js";

/** The only mechanism the embedded server offers. */
export const SCRAM_SHA_256 = "SCRAM-SHA-256";

/** Authentication state of one connection. */
export interface ConnectionAuthState {
  /** The authenticated user (`admin.<name>`), once the exchange succeeded. */
  user?: string;
  conversation?: ScramConversation;
  /** The client asked to skip the final empty exchange (`options.skipEmptyExchange`). */
  skipEmptyExchange?: boolean;
  nextConversationId: number;
}

function payloadText(value: unknown): string {
  if (value instanceof Binary) return Buffer.from(value.buffer.subarray(0, value.position)).toString("utf8");
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  if (typeof value === "string") return value;
  throw new CommandError(ErrorCodes.ProtocolError, "SASL payload must be binary data");
}

function binary(text: string): Binary {
  return new Binary(Buffer.from(text, "utf8"));
}

/**
 * SCRAM-SHA-256 as `mongod` implements it: `saslStart`/`saslContinue` (also as the `speculativeAuthenticate`
 * field of `hello`), `saslSupportedMechs` in `hello`, one user defined in the `admin` database.
 */
export class ScramAuthenticator {
  private readonly credentials: ScramCredentials;

  /** @param auth the user name and password clients must present. */
  constructor(auth: EmbeddedMongoAuth) {
    this.credentials = new ScramCredentials(auth.username, auth.password);
  }

  /** The `saslSupportedMechs` answer for `hello` (`"<db>.<user>"`): the mechanisms of a known user only. */
  supportedMechanisms(request: unknown): string[] | undefined {
    if (typeof request !== "string") return undefined;
    return request === `${AUTH_DATABASE}.${this.credentials.username}` ? [SCRAM_SHA_256] : undefined;
  }

  /** `saslStart` on database `db`: checks the mechanism and answers the server-first message. */
  start(state: ConnectionAuthState, cmd: Doc, db: string): Doc {
    const mechanism = cmd.mechanism;
    if (mechanism !== SCRAM_SHA_256) {
      throw new CommandError(
        ErrorCodes.MechanismUnavailable,
        `Received authentication for mechanism ${String(mechanism)} which is not enabled: the embedded MongoDB server supports only ${SCRAM_SHA_256}`,
      );
    }
    const options = cmd.options;
    state.skipEmptyExchange =
      typeof options === "object" && options !== null && (options as Doc).skipEmptyExchange === true;
    state.conversation = undefined;
    const id = state.nextConversationId++;
    const probe = new ScramConversation(id, payloadText(cmd.payload), undefined);
    // An unknown user or another database still gets a server-first message (with a random salt), so the
    // reply does not tell which users exist; the proof then fails.
    const known = db === AUTH_DATABASE && probe.user === this.credentials.username;
    const conversation = known
      ? new ScramConversation(id, payloadText(cmd.payload), this.credentials)
      : probe;
    state.conversation = conversation;
    return { conversationId: id, done: false, payload: binary(conversation.firstReply) };
  }

  /** `saslContinue`: checks the proof (then the optional empty last step) and marks the connection. */
  continue(state: ConnectionAuthState, cmd: Doc): Doc {
    const conversation = state.conversation;
    const id = typeof cmd.conversationId === "number" ? cmd.conversationId : Number(cmd.conversationId);
    if (!conversation || conversation.id !== id) {
      throw new CommandError(ErrorCodes.ProtocolError, "No SASL session state found");
    }
    if (conversation.done) {
      // The empty exchange after the server signature completes the login.
      state.conversation = undefined;
      state.user = `${AUTH_DATABASE}.${this.credentials.username}`;
      return { conversationId: id, done: true, payload: new Binary(Buffer.alloc(0)) };
    }
    let serverFinal: string;
    try {
      serverFinal = conversation.finish(payloadText(cmd.payload));
    } catch (error) {
      state.conversation = undefined;
      throw error;
    }
    if (state.skipEmptyExchange) {
      state.conversation = undefined;
      state.user = `${AUTH_DATABASE}.${this.credentials.username}`;
    }
    return { conversationId: id, done: state.skipEmptyExchange === true, payload: binary(serverFinal) };
  }

  /** The user name (for connectionStatus). */
  get username(): string {
    return this.credentials.username;
  }
}
