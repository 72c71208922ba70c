import type { Authenticator } from "../auth/authenticator.js";
import type { LoginEventWriter } from "../auth/login-event-writer.js";
import type { LoginThrottle } from "../auth/login-throttle.js";
import type { RoleStore } from "../auth/role-store.js";
import type { SameOriginRule } from "../auth/same-origin-rule.js";
import type { TokenService } from "../auth/token-service.js";
import type { ServerRuntime } from "../runtime/types.js";

/** Reports whether Redis answers; undefined result = Redis not configured. */
export type RedisProbe = () => Promise<boolean | undefined>;

/** The shared services of one app, handed to the core route modules. */
export interface AppServices {
  readonly runtime: ServerRuntime;
  readonly roles: RoleStore;
  readonly tokens: TokenService;
  readonly throttle: LoginThrottle;
  readonly authenticator: Authenticator;
  readonly loginEvents: LoginEventWriter;
  /** The same-origin rule and the server's own origin (config `server.publicUrl`). */
  readonly sameOrigin: SameOriginRule;
  readonly redisProbe: RedisProbe;
}
