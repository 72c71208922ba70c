import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Resolve the package's own exports ("core4ts", "core4ts/server") to the TypeScript sources.
    conditions: ["development"],
  },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/bench/**", "node_modules/**", "dist/**"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    // Keep the test output readable: processes started by tests log warnings and errors only.
    env: { CORE4_OPTION_log__level: "warn" },
    hookTimeout: 60_000,
    // Integration tests share one redis-server; files run in parallel, each on its own queues.
    pool: "forks",
    maxWorkers: 2,
  },
});
