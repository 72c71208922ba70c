import { escapeHtml } from "../reply/html.js";
import type { NavPage } from "./layout.js";

/** The body of `/core4`: the pages the user may open. */
export function homePageBody(user: string, pages: readonly NavPage[]): string {
  const items = pages
    .map(
      (p) =>
        `<li><a href="${escapeHtml(p.path)}">${escapeHtml(p.title)}<small>${escapeHtml(p.path)}</small></a></li>`,
    )
    .join("");
  const list = items
    ? `<ul class="c4-pages">${items}</ul>`
    : '<p class="c4-muted">Your role may open no page yet: ask an administrator for permissions.</p>';
  return `<h1>Welcome, ${escapeHtml(user)}</h1>
<p class="c4-muted">The pages you may open:</p>
${list}`;
}
