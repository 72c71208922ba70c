// Checks the public API of the three entry points against the committed reports in api/ (api-extractor
// reads the built .d.ts files). `--update` rewrites the reports instead: commit them with the change that
// altered the surface. See docs/api.md.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const update = process.argv.includes("--update");
const entries = ["core4ts", "core4ts-server", "core4ts-plugins-usage"];

// The reports describe dist/: build it from the current sources first.
execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});

let changed = 0;
for (const entry of entries) {
  const config = ExtractorConfig.loadFileAndPrepare(join(root, "api", `${entry}.json`));
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
    messageCallback: (message) => {
      // Warnings are written into the report itself (forgotten exports); print only errors.
      if (message.logLevel !== "error") message.handled = true;
    },
  });
  if (result.apiReportChanged) {
    changed++;
    console.error(
      update
        ? `api: ${entry} changed, api/${entry}.api.md rewritten: commit it`
        : `api: the public surface of ${entry} differs from api/${entry}.api.md`,
    );
  } else if (!result.succeeded) {
    changed++;
    console.error(`api: ${entry}: api-extractor failed (${result.errorCount} errors)`);
  } else {
    console.log(`api: ${entry} matches api/${entry}.api.md`);
  }
}
if (changed > 0 && !update) {
  console.error(
    "api: run `npm run api:update`, review the diff of api/*.api.md and commit it with the change",
  );
  process.exit(1);
}
