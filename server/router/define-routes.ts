import type { Core4Router } from "./core4-router.js";
import type { RoutesContext } from "./types.js";

/** A plugin's routes: a function registering handlers on the router. Carried by `definePlugin({ routes })`. */
export type PluginRoutes = (router: Core4Router, context: RoutesContext) => void;

/**
 * Declares a plugin's routes with full typing (an identity function for inference).
 *
 * @example
 * export const routes = defineRoutes((router) => {
 *   router.get("/hello/world", (ctx) => reply(ctx, { hello: "world" }), { public: true });
 * });
 */
export function defineRoutes(routes: PluginRoutes): PluginRoutes {
  return routes;
}
