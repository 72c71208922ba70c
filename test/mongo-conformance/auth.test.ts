/**
 * SCRAM-SHA-256 authentication of the embedded server, as MongoDB implements it: the driver logs in with
 * the credentials in the URI (speculatively inside `hello`), a wrong password is AuthenticationFailed (18),
 * a client without credentials gets Unauthorized (13) for everything but the handshake commands, and
 * SCRAM-SHA-1 is refused clearly. Embedded-only: against a real MongoDB (CORE4_MONGODB_URI) the suite does
 * not know a user and password, so it is skipped there.
 */
import { spawn } from "node:child_process";
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Binary, MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedMongoServer } from "../../framework/mongo-server/index.js";
import { usesRealMongo } from "../support/services.js";

const external = usesRealMongo;
// Reserved characters in the name and a non-ASCII password: escaping and SASLprep both matter.
const USER = "core=4,ts";
const PASSWORD = "pässwörd\u00A0x";

let server: EmbeddedMongoServer;
const clients: MongoClient[] = [];

function uriFor(user: string, password: string, extra = ""): string {
  const base = server.uri.replace(
    "mongodb://",
    `mongodb://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`,
  );
  return `${base}${extra}`;
}

function client(uri: string, options: ConstructorParameters<typeof MongoClient>[1] = {}): MongoClient {
  const c = new MongoClient(uri, { serverSelectionTimeoutMS: 3000, ...options });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  if (external) return;
  server = new EmbeddedMongoServer({ auth: { username: USER, password: PASSWORD } });
  await server.start();
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await server?.stop();
});

describe.skipIf(external)("SCRAM-SHA-256 authentication", () => {
  it("lets the driver log in with the credentials in the URI", async () => {
    const c = client(server.uriWithCredentials);
    const coll = c.db("authdb").collection("items");
    await coll.insertOne({ _id: 1, a: "x" } as never);
    expect(await coll.findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: "x" });
    const status = await c.db("admin").command({ connectionStatus: 1 });
    expect(status.authInfo.authenticatedUsers).toEqual([{ user: USER, db: "admin" }]);
    expect(uriFor(USER, PASSWORD)).toBe(server.uriWithCredentials);
  });

  it("answers a wrong password with AuthenticationFailed (18)", async () => {
    const c = client(uriFor(USER, "wrong"));
    await expect(c.connect()).rejects.toMatchObject({ code: 18, codeName: "AuthenticationFailed" });
  });

  it("answers an unknown user the same way (no hint which part was wrong)", async () => {
    const c = client(uriFor("nobody", PASSWORD));
    await expect(c.connect()).rejects.toMatchObject({ code: 18, message: "Authentication failed." });
  });

  it("refuses commands without login with Unauthorized (13), handshake commands excepted", async () => {
    const c = client(server.uri);
    expect(await c.db("admin").command({ ping: 1 })).toMatchObject({ ok: 1 });
    expect(await c.db("admin").command({ hello: 1 })).toMatchObject({ ok: 1, isWritablePrimary: true });
    await expect(c.db("authdb").collection("items").findOne({})).rejects.toMatchObject({
      code: 13,
      codeName: "Unauthorized",
    });
    await expect(c.db("admin").command({ buildInfo: 1 })).rejects.toMatchObject({ code: 13 });
    await expect(c.db("authdb").collection("items").insertOne({ b: 1 })).rejects.toMatchObject({ code: 13 });
  });

  it("refuses SCRAM-SHA-1 clearly (MechanismUnavailable, 334)", async () => {
    const c = client(uriFor(USER, PASSWORD, "&authMechanism=SCRAM-SHA-1"));
    const error = await c.connect().then(
      () => undefined,
      (e: unknown) => e as { code?: number; message: string },
    );
    expect(error?.code).toBe(334);
    expect(error?.message).toMatch(/SCRAM-SHA-1.*SCRAM-SHA-256/);
  });

  it("announces SCRAM-SHA-256 for the known user in hello (saslSupportedMechs)", async () => {
    const c = client(server.uri);
    const known = await c.db("admin").command({ hello: 1, saslSupportedMechs: `admin.${USER}` });
    expect(known.saslSupportedMechs).toEqual(["SCRAM-SHA-256"]);
    const unknown = await c.db("admin").command({ hello: 1, saslSupportedMechs: "admin.nobody" });
    expect(unknown.saslSupportedMechs).toBeUndefined();
  });

  it("runs saslStart/saslContinue with the final empty exchange (no speculative step)", async () => {
    // One connection, so the conversation and the login belong to the same socket.
    const c = client(server.uri, { maxPoolSize: 1 });
    const admin = c.db("admin");
    const nonce = randomBytes(24).toString("base64");
    const name = USER.replace(/=/g, "=3D").replace(/,/g, "=2C");
    const first = `n=${name},r=${nonce}`;
    const start = await admin.command({
      saslStart: 1,
      mechanism: "SCRAM-SHA-256",
      payload: new Binary(Buffer.from(`n,,${first}`)),
    });
    expect(start.done).toBe(false);
    const serverFirst = Buffer.from(start.payload.buffer).toString();
    const attrs = Object.fromEntries(serverFirst.split(",").map((p) => [p[0], p.slice(2)]));
    expect(attrs.r.startsWith(nonce)).toBe(true);
    expect(Number(attrs.i)).toBeGreaterThanOrEqual(4096);
    // SASLprep maps U+00A0 to a space; the other characters stay.
    const salted = pbkdf2Sync("pässwörd x", Buffer.from(attrs.s, "base64"), Number(attrs.i), 32, "sha256");
    const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
    const clientKey = hmac(salted, "Client Key");
    const storedKey = createHash("sha256").update(clientKey).digest();
    const withoutProof = `c=biws,r=${attrs.r}`;
    const authMessage = `${first},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i])).toString("base64");
    const step = await admin.command({
      saslContinue: 1,
      conversationId: start.conversationId,
      payload: new Binary(Buffer.from(`${withoutProof},p=${proof}`)),
    });
    expect(step.done).toBe(false);
    const serverSignature = hmac(hmac(salted, "Server Key"), authMessage).toString("base64");
    expect(Buffer.from(step.payload.buffer).toString()).toBe(`v=${serverSignature}`);
    // Not logged in until the exchange is done.
    await expect(c.db("authdb").collection("items").countDocuments()).rejects.toMatchObject({ code: 13 });
    const last = await admin.command({
      saslContinue: 1,
      conversationId: start.conversationId,
      payload: new Binary(Buffer.alloc(0)),
    });
    expect(last.done).toBe(true);
    expect(await c.db("authdb").collection("items").countDocuments()).toBeGreaterThanOrEqual(0);
  });

  it("takes the credentials of main.ts from the environment", { timeout: 30_000 }, async () => {
    const main = join(import.meta.dirname, "../../framework/mongo-server/main.ts");
    const child = spawn(process.execPath, ["--import", "tsx", main, "--port", "0"], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, CORE4_EMBEDDED_MONGO_USERNAME: "svc", CORE4_EMBEDDED_MONGO_PASSWORD: "s3cret" },
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", resolve);
      });
      const { uri } = JSON.parse(line) as { uri: string };
      expect(uri).not.toContain("s3cret");
      const anonymous = client(uri);
      await expect(anonymous.db("x").collection("y").findOne({})).rejects.toMatchObject({ code: 13 });
      const c = client(uri.replace("mongodb://", "mongodb://svc:s3cret@"));
      expect(await c.db("x").collection("y").findOne({})).toBeNull();
    } finally {
      child.kill("SIGTERM");
    }
  });
});
