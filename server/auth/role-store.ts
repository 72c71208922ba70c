import type { Collection } from "mongodb";
import { isDuplicateKeyError } from "../../framework/mongo/index.js";
import { HttpError } from "../errors/http-error.js";
import { hashPassword, needsRehash, verifyPassword } from "./password-hash.js";
import type { NewRole, RoleCredentials, RoleDocument, RoleInfo, RolePatch } from "./types.js";

const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$/;
/** Never read the hash unless verifying a password. */
const WITHOUT_PASSWORD = { projection: { _id: 0, password: 0, token_version: 0 } } as const;

function toInfo(doc: Omit<RoleDocument, "password">): RoleInfo {
  return {
    name: doc.name,
    email: doc.email ?? null,
    perm: [...(doc.perm ?? [])],
    is_active: doc.is_active !== false,
    last_login: doc.last_login ?? null,
    created: doc.created ?? null,
  };
}

function checkName(name: string): void {
  if (!ROLE_NAME.test(name)) {
    throw HttpError.badRequest(
      `role name "${name}" is invalid: use 1-64 letters, digits or _ . @ + - (starting with a letter or digit)`,
    );
  }
}

function checkPassword(password: string): void {
  if (password.length < 8) throw HttpError.badRequest("password must have at least 8 characters");
}

function checkPerm(perm: unknown): string[] {
  if (!Array.isArray(perm) || perm.some((p) => typeof p !== "string" || p === "")) {
    throw HttpError.badRequest('perm must be a list of non-empty permission patterns like "api://usage/*"');
  }
  return perm as string[];
}

/**
 * Users and roles in `sys.role` (one document per role, unique `name`). Password hashes are written here
 * and compared here; nothing this class returns ever contains one.
 */
export class RoleStore {
  private indexed: Promise<void> | undefined;

  /** @param collection The `sys.role` collection (`runtime.mongo.sys("role")`). */
  constructor(private readonly collection: Collection<RoleDocument>) {}

  /** Creates the unique index on `name` (once per store; called by every write). */
  ensureIndexes(): Promise<void> {
    this.indexed ??= this.collection
      .createIndex({ name: 1 }, { unique: true, name: "name_unique" })
      .then(() => undefined)
      .catch((error: unknown) => {
        this.indexed = undefined;
        throw error;
      });
    return this.indexed;
  }

  /** Adds a role; 409 when the name exists. */
  async add(role: NewRole): Promise<RoleInfo> {
    checkName(role.name);
    checkPassword(role.password);
    await this.ensureIndexes();
    const doc: RoleDocument = {
      name: role.name,
      password: await hashPassword(role.password),
      email: role.email ?? null,
      perm: checkPerm(role.perm ?? []),
      is_active: role.is_active ?? true,
      last_login: null,
      created: new Date(),
    };
    try {
      await this.collection.insertOne({ ...doc });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw HttpError.conflict(`role "${role.name}" exists`);
      throw error;
    }
    const { password: _hash, ...rest } = doc;
    return toInfo(rest);
  }

  /** Changes a role; 404 when it does not exist. */
  async update(name: string, patch: RolePatch): Promise<RoleInfo> {
    const set: Partial<RoleDocument> = {};
    if (patch.password !== undefined) {
      checkPassword(patch.password);
      set.password = await hashPassword(patch.password);
    }
    if (patch.email !== undefined) set.email = patch.email;
    if (patch.perm !== undefined) set.perm = checkPerm(patch.perm);
    if (patch.is_active !== undefined) set.is_active = patch.is_active;
    // A new password ends the sessions that used the old one.
    const bump = patch.password !== undefined ? { $inc: { token_version: 1 } } : {};
    const updated = await this.collection.findOneAndUpdate(
      { name },
      { $set: set, ...bump },
      { returnDocument: "after", ...WITHOUT_PASSWORD },
    );
    if (!updated) throw HttpError.notFound(`role "${name}" does not exist`);
    return toInfo(updated);
  }

  /**
   * Creates the role or sets its password, permissions and state (used for `admin` at start). A password
   * that already matches is not written again, so its tokens stay valid: restarting a server, or starting
   * a second one, logs nobody out.
   */
  async upsert(role: NewRole): Promise<RoleInfo> {
    checkName(role.name);
    await this.ensureIndexes();
    let existing = await this.collection.findOne(
      { name: role.name },
      { projection: { _id: 0, password: 1 } },
    );
    if (!existing) {
      try {
        return await this.add(role);
      } catch (error) {
        // Two processes starting at once: the other one created it; update instead.
        if (!(error instanceof HttpError && error.status === 409)) throw error;
        existing = await this.collection.findOne(
          { name: role.name },
          { projection: { _id: 0, password: 1 } },
        );
      }
    }
    const same = await verifyPassword(role.password, existing?.password);
    if (same && needsRehash(existing?.password))
      await this.rehash(role.name, existing?.password, role.password);
    return this.update(role.name, {
      password: same ? undefined : role.password,
      perm: role.perm,
      email: role.email,
      is_active: role.is_active ?? true,
    });
  }

  /** Replaces a hash made with weaker parameters by a new one of the same password; tokens stay valid. */
  private async rehash(name: string, old: string | undefined, password: string): Promise<void> {
    // Only if nobody changed the password meanwhile.
    await this.collection.updateOne(
      { name, password: old },
      { $set: { password: await hashPassword(password) } },
    );
  }

  /** A role by name, without its hash; undefined when absent. */
  async get(name: string): Promise<RoleInfo | undefined> {
    const doc = await this.collection.findOne({ name }, WITHOUT_PASSWORD);
    return doc ? toInfo(doc) : undefined;
  }

  /** All roles, sorted by name, without hashes. */
  async list(): Promise<RoleInfo[]> {
    const docs = await this.collection.find({}, WITHOUT_PASSWORD).sort({ name: 1 }).toArray();
    return docs.map(toInfo);
  }

  /** A role with its token version (for token checks), without its hash; undefined when absent. */
  async credentials(name: string): Promise<RoleCredentials | undefined> {
    const doc = await this.collection.findOne({ name }, { projection: { _id: 0, password: 0 } });
    if (!doc) return undefined;
    const { token_version, ...rest } = doc;
    return { role: toInfo(rest), tokenVersion: token_version ?? 0 };
  }

  /** Ends every token issued to a role so far ("log out everywhere"); false when the role does not exist. */
  async revokeTokens(name: string): Promise<boolean> {
    const result = await this.collection.updateOne({ name }, { $inc: { token_version: 1 } });
    return result.matchedCount === 1;
  }

  /** Removes a role; false when it did not exist. */
  async remove(name: string): Promise<boolean> {
    const result = await this.collection.deleteOne({ name });
    return result.deletedCount === 1;
  }

  /**
   * Checks a name and password. Resolves to the role when the password matches and the role is active,
   * else undefined; unknown names cost the same scrypt run as known ones.
   */
  async verify(name: string, password: string): Promise<RoleInfo | undefined> {
    const doc = await this.collection.findOne({ name }, { projection: { _id: 0 } });
    const ok = await verifyPassword(password, doc?.password);
    if (!ok || !doc || doc.is_active === false) return undefined;
    if (needsRehash(doc.password)) await this.rehash(name, doc.password, password);
    const { password: _hash, token_version: _version, ...rest } = doc;
    return toInfo(rest);
  }

  /** Records the time of a successful password login. */
  async recordLogin(name: string, at: Date = new Date()): Promise<void> {
    await this.collection.updateOne({ name }, { $set: { last_login: at } });
  }
}
