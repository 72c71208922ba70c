/** A role as stored in `sys.role`. `password` is a scrypt hash and never leaves the server. */
export interface RoleDocument {
  /** Login name, unique. */
  name: string;
  /** scrypt hash (`scrypt$N$r$p$salt$hash`); absent for roles that cannot log in. */
  password?: string;
  /** Contact address. */
  email?: string | null;
  /** Permission patterns (`api://usage/*`); `*` grants everything. */
  perm: string[];
  /** Inactive roles cannot log in and their tokens stop working. */
  is_active: boolean;
  /** Time of the last successful password login. */
  last_login?: Date | null;
  /** When the role was created. */
  created?: Date;
  /** Bumped on a password change or "log out everywhere": tokens carrying an older version stop working. */
  token_version?: number;
}

/** A role as the API returns it: everything but the password hash. */
export interface RoleInfo {
  name: string;
  email: string | null;
  perm: string[];
  is_active: boolean;
  last_login: Date | null;
  created: Date | null;
}

/** The authenticated user of a request. */
export interface AuthUser {
  /** Role name. */
  readonly name: string;
  /** Permission patterns of the role. */
  readonly perm: readonly string[];
  /** True for role `admin`, which holds every permission. */
  readonly isAdmin: boolean;
  /** How the request proved who it is. */
  readonly via: "token" | "cookie" | "basic";
}

/** What token checks need of a role: its public fields and the current token version. */
export interface RoleCredentials {
  readonly role: RoleInfo;
  readonly tokenVersion: number;
}

/** Fields for {@link RoleStore.add}. */
export interface NewRole {
  name: string;
  password: string;
  email?: string | null;
  perm?: string[];
  is_active?: boolean;
}

/** Fields for {@link RoleStore.update}; absent fields stay as they are. */
export interface RolePatch {
  password?: string;
  email?: string | null;
  perm?: string[];
  is_active?: boolean;
}
