import { definePlugin } from "../../../framework/plugin.js";
import { arg, defineRoutes, getArguments, type PluginRoutes, reply } from "../../../server/index.js";

/** A plugin whose routes echo their arguments: as a one-row table, and as an object. */
export const echoPlugin = definePlugin<PluginRoutes>({
  name: "echo",
  routes: defineRoutes((router) => {
    router.getOrPost("/echo/table", (ctx) => {
      const args = getArguments(ctx, {
        text: arg.string().default(""),
        count: arg.int().default(1),
        flag: arg.boolean().default(false),
      });
      reply(ctx, [args], { title: `echo ${args.text}` });
    });
    router.getOrPost("/echo/rows", (ctx) => {
      const { cells } = getArguments(ctx, { cells: arg.json(arg.string().array()).default([]) });
      reply(
        ctx,
        cells.map((cell, i) => ({ i, cell, n: -i })),
      );
    });
    router.get("/echo/public", (ctx) => reply(ctx, { ok: true }), { public: true });
    router.get(
      "/echo/vary",
      (ctx) => {
        ctx.set("Vary", "Origin");
        reply(ctx, { ok: true });
      },
      { public: true },
    );
    router.get("/echo/boom", () => {
      throw new Error("secret internal detail");
    });
    router.get("/echo/slow", async (ctx) => {
      await new Promise((r) => setTimeout(r, 5_000));
      reply(ctx, { late: true });
    });
    // The same without login: timeout tests need no login, which itself must finish within the timeout.
    router.get(
      "/echo/slow-public",
      async (ctx) => {
        await new Promise((r) => setTimeout(r, 5_000));
        reply(ctx, { late: true });
      },
      { public: true },
    );
  }),
});
