import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

interface OwnPackage {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/** The versions core4ts itself is tested with, so the new project installs what is known to work. */
function versions(): {
  node: string;
  zod: string;
  typescript: string;
  vitest: string;
  tsx: string;
  types: string;
} {
  const own = require("core4ts/package.json") as OwnPackage;
  const pick = (name: string, fallback: string): string =>
    own.dependencies[name] ?? own.devDependencies[name] ?? fallback;
  return {
    node: own.engines.node,
    zod: pick("zod", "^4.0.0"),
    typescript: pick("typescript", "~5.9.0"),
    vitest: pick("vitest", "^4.0.0"),
    tsx: pick("tsx", "^4.20.0"),
    types: pick("@types/node", "^20.19.0"),
  };
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Files of a new plugin project, by path relative to its folder. `core4ts` is the dependency spec. */
export function scaffoldFiles(name: string, core4ts: string): Record<string, string> {
  const v = versions();
  const job = `${name}.Hello`;
  return {
    "package.json": json({
      name,
      version: "0.1.0",
      private: true,
      type: "module",
      engines: { node: v.node },
      scripts: {
        dev: "coco dev",
        test: "vitest run",
        build: "tsc -p tsconfig.build.json",
        typecheck: "tsc --noEmit",
      },
      dependencies: { core4ts, zod: v.zod },
      devDependencies: { "@types/node": v.types, tsx: v.tsx, typescript: v.typescript, vitest: v.vitest },
    }),
    "tsconfig.json": json({
      compilerOptions: {
        target: "ES2023",
        lib: ["ES2023"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noImplicitOverride: true,
        verbatimModuleSyntax: true,
        isolatedModules: true,
        skipLibCheck: true,
        types: ["node"],
        noEmit: true,
      },
      include: ["src", "test", "vitest.config.ts"],
    }),
    "tsconfig.build.json": json({
      extends: "./tsconfig.json",
      compilerOptions: { noEmit: false, rootDir: "src", outDir: "dist", sourceMap: true },
      include: ["src"],
    }),
    "vitest.config.ts": `import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The tests start the in-memory MongoDB and no Redis: they write nothing to ./.core4.
    env: { CORE4_MONGODB_URI: "embedded:memory", CORE4_OPTION_log__level: "warn" },
    testTimeout: 30_000,
  },
});
`,
    "core4.yaml": `# core4ts configuration of this project, read by coco from the working directory
# (or from the file CORE4_CONFIG names). See the core4ts docs, configuration.md.
plugins:
  - ./src/plugin.ts
${name}:
  greeting: hello
`,
    "src/config.ts": `import { z } from "zod";

/** This plugin's config section (\`${name}:\` in core4.yaml); every key has a default. */
export const configSchema = z.object({ greeting: z.string().default("hello") });

/** The validated section, as \`this.config.section("${name}")\` returns it. */
export type Config = z.output<typeof configSchema>;

// Types \`config.section("${name}")\` wherever this plugin is imported.
declare module "core4ts" {
  interface ConfigSections {
    ${name}: Config;
  }
}
`,
    "src/hello.ts": `import { CoreJob } from "core4ts";
import { z } from "zod";

const args = z.object({ who: z.string().min(1).default("world") });

/** A first job: \`npx coco run ${job} who=you\` runs it inline, \`npx coco enqueue ...\` on a worker. */
export class Hello extends CoreJob.withArgs(args) {
  static override readonly jobName = "${job}";

  override async execute({ who }: z.output<typeof args>): Promise<void> {
    const { greeting } = this.config.section("${name}");
    // Every document a job writes carries its source and job id.
    this.setSource("greetings");
    await this.collection("${name}/greetings").insertOne({ who, text: \`\${greeting}, \${who}\`, at: new Date() });
    await this.progress(1, "greeted %s", who);
  }
}
`,
    "src/routes.ts": `import { arg, defineRoutes, getArgument, reply } from "core4ts/server";

/**
 * A first route: GET /${name}/hello?who=you. It needs permission api://${name}/hello (the dev user that
 * \`npx coco dev\` prints has every permission).
 */
export const routes = defineRoutes((router, { runtime }) => {
  router.get("/${name}/hello", async (ctx) => {
    const who = getArgument(ctx, "who", arg.string().default("world"));
    const { greeting } = runtime.config.section("${name}");
    const greeted = await runtime.mongo.collection("${name}/greetings").countDocuments({ who });
    reply(ctx, { text: \`\${greeting}, \${who}\`, greeted });
  });
});
`,
    "src/plugin.ts": `import { definePlugin } from "core4ts";
import { configSchema } from "./config.js";
import { Hello } from "./hello.js";
import { routes } from "./routes.js";

/** The plugin: its config section, its jobs and its routes. core4.yaml lists this module. */
export default definePlugin({ name: "${name}", config: configSchema, jobs: [Hello], routes });
`,
    "test/plugin.test.ts": `import { Runtime, runInline } from "core4ts";
import { RoleStore, type RunningServer, startServer } from "core4ts/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import plugin from "../src/plugin.js";

// The in-memory MongoDB (vitest.config.ts), no Redis: runInline needs none. A fixed secret keeps the
// server from generating one into ./.core4.
let runtime: Runtime;
let server: RunningServer;

beforeAll(async () => {
  runtime = await Runtime.start({
    plugins: [plugin],
    needRedis: false,
    overrides: { server: { secret: "a secret for the tests only" } },
  });
  server = await startServer(runtime, { plugins: [plugin], port: 0 });
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
});

describe("${job}", () => {
  it("writes a greeting tagged with its source", async () => {
    const record = await runInline(runtime, "${job}", { who: "tests" });
    expect(record).toMatchObject({ state: "complete", sources: ["greetings"] });
    const greeting = await runtime.mongo.collection("${name}/greetings").findOne({ who: "tests" });
    expect(greeting).toMatchObject({ text: "hello, tests", _src: "greetings", _job_id: record.id });
  });

  it("refuses a bad argument, naming it", async () => {
    await expect(runInline(runtime, "${job}", { who: "" })).rejects.toThrow(/"who"/);
  });
});

describe("GET /${name}/hello", () => {
  it("needs a login", async () => {
    const response = await fetch(\`\${server.url}/${name}/hello\`, { headers: { accept: "application/json" } });
    expect(response.status).toBe(401);
  });

  it("answers a user with its permission", async () => {
    await new RoleStore(runtime.mongo.sys("role")).upsert({
      name: "tester",
      password: "tester-password",
      perm: ["api://${name}/*"],
    });
    const response = await fetch(\`\${server.url}/${name}/hello?who=tests\`, {
      headers: { authorization: \`Basic \${btoa("tester:tester-password")}\`, accept: "application/json" },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { text: string } };
    expect(body.data.text).toBe("hello, tests");
  });
});
`,
    "README.md": `# ${name}

A core4ts plugin project, scaffolded by \`core4ts init ${name}\`.

\`\`\`sh
npm install
npm test                                # the job through runInline and the route, in-memory MongoDB
npx coco run ${job} who=you   # run the job once, inline
npm run dev                             # embedded MongoDB and Redis, server, worker, scheduler
\`\`\`

\`npm run dev\` prints where to log in and a development user (\`dev\` and its password); open
http://127.0.0.1:5001/${name}/hello?who=you. \`npm run typecheck\` checks the types and \`npm run build\`
compiles \`src/\` to \`dist/\` for production, where config lists \`./dist/plugin.js\` instead of
\`./src/plugin.ts\` (see the core4ts docs: plugins.md and deploy.md).

- \`core4.yaml\`: the configuration coco reads from this folder (the plugin module and its section).
- \`src/plugin.ts\`: the plugin; \`src/hello.ts\` its job, \`src/routes.ts\` its route, \`src/config.ts\` its section.
- \`test/plugin.test.ts\`: the tests.
`,
    ".gitignore": "node_modules/\ndist/\n.core4/\n",
  };
}
