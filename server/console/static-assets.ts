import { createHash } from "node:crypto";
import type { Core4Router } from "../router/core4-router.js";
import { CONSOLE_CSS } from "./assets/console-css.js";
import { CONSOLE_JS } from "./assets/console-js.js";

/** Where the console's style sheet is served. */
export const CONSOLE_CSS_PATH = "/core4/static/console.css";
/** Where the console's script is served. */
export const CONSOLE_JS_PATH = "/core4/static/console.js";

interface Asset {
  readonly body: string;
  readonly type: string;
  readonly etag: string;
}

function asset(body: string, type: string): Asset {
  return { body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` };
}

/** Serves the console's CSS and JavaScript (public, with an ETag so browsers revalidate cheaply). */
export function registerStaticAssets(router: Core4Router): void {
  const assets: [string, Asset][] = [
    [CONSOLE_CSS_PATH, asset(CONSOLE_CSS, "text/css; charset=utf-8")],
    [CONSOLE_JS_PATH, asset(CONSOLE_JS, "text/javascript; charset=utf-8")],
  ];
  for (const [path, file] of assets) {
    router.get(
      path,
      (ctx) => {
        ctx.set("ETag", file.etag);
        ctx.set("Cache-Control", "public, max-age=300, must-revalidate");
        if (ctx.get("If-None-Match") === file.etag) {
          ctx.status = 304;
          return;
        }
        ctx.type = file.type;
        ctx.body = file.body;
      },
      { public: true },
    );
  }
}
