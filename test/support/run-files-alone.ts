/**
 * Runs test files one by one, each in its own vitest process, to show that every file passes alone (no test
 * relies on another file having run first). `npm run test:alone` runs every file; `-- --sample N` a seeded
 * random sample of N files (CORE4_TEST_SEED repeats a sample); `-- FILE...` the given files.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  options: { sample: { type: "string" } },
  allowPositionals: true,
});

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "bench" ? [] : testFiles(path);
    return name.endsWith(".test.ts") ? [relative(process.cwd(), path)] : [];
  });
}

/** A small seeded generator (mulberry32), so a printed seed repeats the same sample. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

let files = positionals.length > 0 ? positionals : testFiles("test").sort();
if (values.sample !== undefined) {
  const count = Number(values.sample);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`--sample must be a positive integer, got "${values.sample}"`);
  const seed = Number(process.env.CORE4_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const next = random(seed);
  const pool = [...files];
  files = [];
  while (files.length < count && pool.length > 0)
    files.push(...pool.splice(Math.floor(next() * pool.length), 1));
  process.stdout.write(`test:alone: ${files.length} files sampled with seed ${seed}\n`);
}

const failed: string[] = [];
for (const file of files) {
  process.stdout.write(`test:alone: ${file}\n`);
  const run = spawnSync("npx", ["vitest", "run", file], { stdio: "inherit" });
  if (run.status !== 0) failed.push(file);
}
const passed = files.length - failed.length;
process.stdout.write(`files alone: ${passed} passed, ${failed.length} failed\n`);
if (failed.length > 0) {
  process.stdout.write(`test:alone: failed alone: ${failed.join(", ")}\n`);
  process.exitCode = 1;
}
