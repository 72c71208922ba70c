import { defineConfig } from "vitest/config";

// Files and the tests in them run in a shuffled order, so a test that only passes after another one fails.
// vitest prints the seed; CORE4_TEST_SEED=<seed> repeats an order.
const seed = Number(process.env.CORE4_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isSafeInteger(seed))
  throw new Error(`CORE4_TEST_SEED must be an integer, got "${process.env.CORE4_TEST_SEED}"`);

// Resolve the package's own exports ("core4ts", "core4ts/server") to the TypeScript sources, through the
// package's own condition (Vite sets "development" by default, which must not reach the sources).
// The rest are Vite's server defaults.
const conditions = ["core4ts-source", "module", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
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
    sequence: { shuffle: { files: true, tests: true }, seed },
    // CI runs the suite three times (Node 20, 22, 24) on two shared cores: a failed test is retried once
    // there, and vitest reports it as flaky. A test that needs the retry is a bug to fix, not to accept.
    retry: process.env.CI ? 1 : 0,
    maxWorkers: 2,
  },
});
