import { hasPermission } from "../auth/permissions.js";
import type { AuthUser } from "../auth/types.js";
import { LOGOUT_API_PATH } from "../pages/login-page.js";
import { escapeHtml } from "../reply/html.js";
import type { PageInfo } from "../router/core4-router.js";
import type { Core4Context } from "../router/types.js";
import { CONSOLE_HOME } from "./paths.js";
import { CONSOLE_CSS_PATH, CONSOLE_JS_PATH } from "./static-assets.js";

/** A page the navigation links to. */
export interface NavPage {
  readonly path: string;
  readonly title: string;
}

/** Options of {@link consolePage}. */
export interface ConsolePageOptions {
  /** Page title (escaped). */
  title: string;
  /** The page's content (trusted markup: escape every outside value with `escapeHtml`). */
  body: string;
  /** Seconds after which the console script reloads the page (a running job); none when absent. */
  refresh?: number;
}

function mayOpen(user: AuthUser, page: PageInfo): boolean {
  if (page.access === "public" || page.access === "user") return true;
  if (page.access === "admin") return user.isAdmin;
  return hasPermission(user, page.access);
}

/**
 * The pages of the app (listed with `router.page(path, title)`) the request's user may open, in the order
 * they were listed (the console's own first).
 */
export function navigationPages(ctx: Core4Context): NavPage[] {
  const user = ctx.state.user;
  const listed = (ctx.app as { core4Pages?: readonly PageInfo[] }).core4Pages ?? [];
  if (!user) return [];
  return listed.filter((page) => mayOpen(user, page)).map(({ path, title }) => ({ path, title }));
}

/** The console's top bar: home, the pages the user may open, the user's name and Log out. */
export function consoleHeader(ctx: Core4Context): string {
  const user = ctx.state.user;
  const links = navigationPages(ctx)
    .map((page) => {
      const current = ctx.path === page.path || ctx.path.startsWith(`${page.path}/`);
      return `<a href="${escapeHtml(page.path)}"${current ? ' aria-current="page"' : ""}>${escapeHtml(page.title)}</a>`;
    })
    .join("");
  const who = user
    ? `<span class="c4-user">${escapeHtml(user.name)}</span><form method="post" action="${LOGOUT_API_PATH}"><button>Log out</button></form>`
    : "";
  return `<header class="c4-top"><a class="c4-brand" href="${CONSOLE_HOME}">core4</a><nav aria-label="Console">${links}</nav>${who}</header>`;
}

/**
 * A complete console page: the shared layout (navigation with the pages the user may open, the user's
 * name, Log out) around `body`. Plugins use it for their own pages (`core4ts/server`).
 */
export function consolePage(ctx: Core4Context, options: ConsolePageOptions): string {
  const refresh = options.refresh ? ` data-refresh="${Math.max(1, Math.round(options.refresh))}"` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)} · core4</title>
<link rel="stylesheet" href="${CONSOLE_CSS_PATH}">
<script src="${CONSOLE_JS_PATH}" defer></script>
</head><body class="c4"${refresh}>
${consoleHeader(ctx)}
<main>
${options.body}
</main>
</body></html>
`;
}

/**
 * Puts the console's navigation into a complete HTML page a plugin built itself: the style sheet link
 * before `</head>` and the top bar after `<body…>`. Pages served without a logged-in user (signed links,
 * embeds) are returned unchanged.
 */
export function withConsoleLayout(ctx: Core4Context, html: string): string {
  if (!ctx.state.user) return html;
  const body = /<body[^>]*>/i.exec(html);
  if (!body) return html;
  const at = body.index + body[0].length;
  let out = `${html.slice(0, at)}\n${consoleHeader(ctx)}${html.slice(at)}`;
  const head = out.search(/<\/head>/i);
  if (head !== -1) {
    out = `${out.slice(0, head)}<link rel="stylesheet" href="${CONSOLE_CSS_PATH}">${out.slice(head)}`;
  }
  return out;
}
