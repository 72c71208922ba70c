import { randomBytes, timingSafeEqual } from "node:crypto";
import { CommandError, ErrorCodes } from "../command-error.js";
import { hmac, type ScramCredentials, sha256 } from "./scram-credentials.js";

/** The one message MongoDB gives for every failed login (no hint whether the user or the password was wrong). */
export function authenticationFailed(): CommandError {
  return new CommandError(ErrorCodes.AuthenticationFailed, "Authentication failed.");
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq !== 1) throw new CommandError(ErrorCodes.ProtocolError, "SCRAM: malformed message attribute");
    out.set(part[0], part.slice(2));
  }
  return out;
}

/** RFC 5802 `saslname` decoding: `=2C` is a comma, `=3D` an equals sign; any other `=` is invalid. */
function decodeName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw new CommandError(ErrorCodes.ProtocolError, "SCRAM: invalid user name");
  return name.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

/** One SCRAM-SHA-256 exchange on one connection, from the client-first message to the server signature. */
export class ScramConversation {
  private readonly clientFirstBare: string;
  private readonly serverFirst: string;
  private readonly nonce: string;
  private readonly gs2Header: string;
  private readonly claimedUser: string;
  /** Set once the proof was checked: the next step is the optional empty exchange. */
  private proven = false;

  /**
   * @param id the conversationId the client sends back.
   * @param clientFirst the client-first message (`n,,n=user,r=nonce`).
   * @param credentials the user's secrets, or undefined for an unknown user (the exchange then runs with
   *   a random salt and fails at the proof, so the reply does not reveal whether the user exists).
   */
  constructor(
    readonly id: number,
    clientFirst: string,
    private readonly credentials: ScramCredentials | undefined,
  ) {
    const match = /^([ny]),(a=[^,]*)?,(.*)$/.exec(clientFirst);
    if (!match) {
      throw new CommandError(
        ErrorCodes.ProtocolError,
        clientFirst.startsWith("p=")
          ? "SCRAM: channel binding is not supported"
          : "SCRAM: malformed client-first message",
      );
    }
    if (match[2])
      throw new CommandError(ErrorCodes.ProtocolError, "SCRAM: authorization identities are not supported");
    this.gs2Header = `${match[1]},,`;
    this.clientFirstBare = match[3];
    const attrs = attributes(this.clientFirstBare);
    if (attrs.has("m"))
      throw new CommandError(ErrorCodes.ProtocolError, "SCRAM: extensions are not supported");
    const user = attrs.get("n");
    const clientNonce = attrs.get("r");
    if (user === undefined || !clientNonce) {
      throw new CommandError(ErrorCodes.ProtocolError, "SCRAM: the client-first message lacks n= or r=");
    }
    this.claimedUser = decodeName(user);
    this.nonce = clientNonce + randomBytes(24).toString("base64");
    const salt = credentials?.salt ?? randomBytes(28);
    const iterations = credentials?.iterations ?? 15_000;
    this.serverFirst = `r=${this.nonce},s=${salt.toString("base64")},i=${iterations}`;
  }

  /** The user name the client claimed in its first message. */
  get user(): string {
    return this.claimedUser;
  }

  /** The server-first message. */
  get firstReply(): string {
    return this.serverFirst;
  }

  /**
   * Checks the client-final message; returns the server-final message (`v=<signature>`). Throws
   * AuthenticationFailed for a wrong proof or an unknown user.
   */
  finish(clientFinal: string): string {
    if (this.proven) throw new CommandError(ErrorCodes.ProtocolError, "SCRAM: conversation already finished");
    const proofAt = clientFinal.lastIndexOf(",p=");
    if (proofAt < 0)
      throw new CommandError(ErrorCodes.ProtocolError, "SCRAM: the client-final message lacks a proof");
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get("c") !== Buffer.from(this.gs2Header).toString("base64")) {
      throw new CommandError(ErrorCodes.ProtocolError, "SCRAM: channel binding data does not match");
    }
    if (attrs.get("r") !== this.nonce)
      throw new CommandError(ErrorCodes.ProtocolError, "SCRAM: nonce mismatch");
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), "base64");
    const credentials = this.credentials;
    if (!credentials || proof.length !== 32) throw authenticationFailed();
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(credentials.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i] ^ signature[i];
    if (!timingSafeEqual(sha256(clientKey), credentials.storedKey)) throw authenticationFailed();
    this.proven = true;
    return `v=${hmac(credentials.serverKey, authMessage).toString("base64")}`;
  }

  /** True once the proof was accepted. */
  get done(): boolean {
    return this.proven;
  }
}
