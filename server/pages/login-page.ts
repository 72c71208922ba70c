import { CONSOLE_CSS_PATH } from "../console/static-assets.js";
import { escapeHtml, htmlPage } from "../reply/html.js";

/** Path of the HTML login page. */
export const LOGIN_PAGE_PATH = "/core4/login";
/** Path of the login endpoint (JSON or form POST). */
export const LOGIN_API_PATH = "/core4/api/v1/login";
/** Path of the logout endpoint (POST only). */
export const LOGOUT_API_PATH = "/core4/api/v1/logout";

/** The login form. `next` must already be a safe same-origin path; every value is escaped. */
export function loginPage(next: string, failed: boolean): string {
  const error = failed ? '<p class="error" role="alert">Wrong name or password.</p>' : "";
  return htmlPage(
    "core4 login",
    `<main>
<p class="c4-brand">core4</p>
<h1>Log in</h1>
${error}
<form method="post" action="${LOGIN_API_PATH}">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label>Name <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button>
</form>
</main>`,
    { head: `<link rel="stylesheet" href="${CONSOLE_CSS_PATH}">`, bodyClass: "c4-login" },
  );
}
