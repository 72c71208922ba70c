import { z } from "zod";
import type { AppServices } from "../app/types.js";
import { HttpError } from "../errors/http-error.js";
import { reply } from "../reply/reply.js";
import { arg } from "../request/arg.js";
import { getArguments } from "../request/get-argument.js";
import type { Core4Router } from "../router/core4-router.js";
import type { Core4Context } from "../router/types.js";

const perm = arg.json(z.array(z.string().min(1), { error: "expected a list of permission patterns" }));
const email = z.email({ error: "expected an e-mail address" }).nullable();

function nameParam(ctx: Core4Context): string {
  const name = ctx.params.name;
  if (!name) throw HttpError.badRequest("role name missing in the path");
  return name;
}

/** `/core4/api/v1/roles`: list, create, read, update, remove roles (admin only). Hashes never leave. */
export function registerRoleRoutes(router: Core4Router, services: AppServices): void {
  const { roles } = services;
  const admin = { adminOnly: true, perm: null };
  const base = "/core4/api/v1/roles";

  router.get(base, async (ctx) => reply(ctx, await roles.list(), { title: "roles" }), admin);

  router.post(
    base,
    async (ctx) => {
      const fields = getArguments(ctx, {
        name: arg.string().min(1),
        password: arg.string(),
        email: email.optional(),
        perm: perm.optional(),
        is_active: arg.boolean().optional(),
      });
      reply(ctx, await roles.add(fields), { status: 201 });
    },
    admin,
  );

  router.get(
    `${base}/:name`,
    async (ctx) => {
      const name = nameParam(ctx);
      const role = await roles.get(name);
      if (!role) throw HttpError.notFound(`role "${name}" does not exist`);
      reply(ctx, role);
    },
    admin,
  );

  router.route(
    ["PUT", "PATCH"],
    `${base}/:name`,
    async (ctx) => {
      const patch = getArguments(ctx, {
        password: arg.string().optional(),
        email: email.optional(),
        perm: perm.optional(),
        is_active: arg.boolean().optional(),
      });
      const name = nameParam(ctx);
      const updated = await roles.update(name, patch);
      services.authenticator.forget(name);
      reply(ctx, updated);
    },
    admin,
  );

  router.delete(
    `${base}/:name`,
    async (ctx) => {
      const name = nameParam(ctx);
      if (name === "admin")
        throw HttpError.conflict('role "admin" cannot be removed (it is the way back in)');
      if (!(await roles.remove(name))) throw HttpError.notFound(`role "${name}" does not exist`);
      services.authenticator.forget(name);
      reply(ctx, { removed: name });
    },
    admin,
  );
}
