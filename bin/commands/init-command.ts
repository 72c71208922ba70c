import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../cli/cli-error.js";

const NAME = /^[a-z][a-z0-9_]*$/;

/** Files of a new plugin project, by path relative to its folder. */
export function scaffoldFiles(name: string): Record<string, string> {
  const className = "Hello";
  return {
    "package.json": `${JSON.stringify(
      {
        name,
        private: true,
        type: "module",
        engines: { node: ">=20.19" },
        scripts: {
          dev: "CORE4_CONFIG=core4.yaml coco dev",
          run: `CORE4_CONFIG=core4.yaml coco run ${name}.${className}`,
        },
        dependencies: { core4ts: "^0.1.0", zod: "^4.0.0" },
      },
      null,
      2,
    )}\n`,
    "core4.yaml": [
      "# core4ts configuration of this project (CORE4_CONFIG=core4.yaml).",
      "plugins:",
      "  - ./plugin.ts",
      `${name}:`,
      "  greeting: hello",
      "",
    ].join("\n"),
    "plugin.ts": `import { CoreJob, definePlugin } from "core4ts";
import { defineRoutes, reply } from "core4ts/server";
import { z } from "zod";

/** This plugin's config section (\`${name}\` in core4.yaml); every key has a default. */
const config = z.object({ greeting: z.string().default("hello") });

const args = z.object({ who: z.string().default("world") });

/** A first job: run it with \`coco run ${name}.${className} who=you\`. */
export class ${className} extends CoreJob<typeof args> {
  static override readonly jobName = "${name}.${className}";
  static override readonly args = args;

  override async execute({ who }: z.output<typeof args>): Promise<void> {
    const { greeting } = this.config.section<z.output<typeof config>>("${name}");
    this.setSource("greetings");
    await this.collection("${name}/greetings").insertOne({ who, text: \`\${greeting}, \${who}\`, at: new Date() });
    await this.progress(1, "greeted %s", who);
  }
}

/** A first route: GET /${name}/hello (needs permission api://${name}/hello, admin has all). */
const routes = defineRoutes((router) => {
  router.get("/${name}/hello", (ctx) => reply(ctx, { hello: "world" }));
});

export default definePlugin({ name: "${name}", config, jobs: [${className}], routes });
`,
    "README.md": `# ${name}

A core4ts plugin project, scaffolded by \`coco init ${name}\`.

\`\`\`sh
npm install
CORE4_CONFIG=core4.yaml npx coco run ${name}.${className} who=you   # run the job inline
CORE4_CONFIG=core4.yaml npx coco dev                               # services, server, worker, scheduler
\`\`\`

\`plugin.ts\` holds the plugin: its config section, its jobs and its routes. See the core4ts docs on jobs and
HTTP handlers.
`,
    ".gitignore": "node_modules/\n.core4/\n",
  };
}

/** `coco init <name>`: writes a new plugin project into ./<name>; refuses to overwrite anything. */
export async function initCommand(name: string): Promise<void> {
  if (!NAME.test(name))
    throw new CliError(`project name "${name}" must be a lowercase identifier like "home"`);
  if (existsSync(name)) throw new CliError(`./${name} exists already; choose another name or remove it`);
  mkdirSync(name);
  for (const [file, content] of Object.entries(scaffoldFiles(name))) writeFileSync(join(name, file), content);
  process.stdout.write(`created ./${name}: cd ${name} && npm install && npm run run\n`);
}
