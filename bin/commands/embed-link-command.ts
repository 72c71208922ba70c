import { createApp, linkOrigin, parseExpires } from "core4ts/server";
import { parseKeyValueArgs } from "../../framework/job/index.js";
import { CliError } from "../cli/cli-error.js";
import { print, printJson } from "../cli/output.js";
import { runWithRuntime } from "../cli/run-with-runtime.js";

/**
 * `coco embed-link <path> [k=v ...] [--expires 30d]` (docs/contracts.md "CLI"): prints a signed URL to an
 * embeddable route, signed with the server secret (`CORE4_SECRET` or the one in `CORE4_HOME`), pointing to
 * `server.publicUrl` or the configured host and port.
 */
export async function embedLinkCommand(
  path: string,
  words: readonly string[],
  options: { expires?: string; json?: boolean },
): Promise<void> {
  const args = parseKeyValueArgs(words);
  await runWithRuntime({ name: "coco", needRedis: false }, async (runtime) => {
    const app = createApp({ runtime, plugins: runtime.plugins });
    try {
      const embeddable = app.core4Routes.filter((r) => r.embeddable).map((r) => r.path);
      if (!embeddable.includes(path)) {
        throw new CliError(
          `${path} is not a route that accepts signed links; embeddable routes: ${embeddable.join(", ") || "none"}`,
        );
      }
      let expires: number;
      try {
        expires = parseExpires(options.expires, app.embedLinks.maxDays);
      } catch (error) {
        throw new CliError(`--${(error as Error).message}`);
      }
      const url = app.embedLinks.url(linkOrigin(runtime.config), path, args, expires);
      if (options.json)
        printJson({ url, path, args, expires, expiresAt: new Date(expires * 1000).toISOString() });
      else print(url);
    } finally {
      await app.dispose();
    }
  });
}
