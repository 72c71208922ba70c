import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, loadConfig } from "../../framework/config/index.js";

const usage = z.strictObject({
  timezone: z.string().default("UTC"),
  maxRangeDays: z.number().int().positive().default(3660),
  excludeUsers: z.array(z.string()).default([]),
  enabled: z.boolean().default(true),
});

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "core4ts-config-"));
  const file = join(dir, "core4.yaml");
  writeFileSync(file, text);
  return file;
}

describe("loadConfig", () => {
  it("gives defaults for core and plugin sections", () => {
    const config = loadConfig({ env: {}, sections: { usage } });
    expect(config.core.server.port).toBe(5001);
    expect(config.core.mongodb.uri).toBe("embedded");
    expect(config.core.mongodb.sysDatabase).toBe("core4");
    expect((config.section("usage" as string) as z.output<typeof usage>).timezone).toBe("UTC");
  });

  it("layers defaults < file < environment", () => {
    const file = yamlFile("server:\n  port: 6000\nusage:\n  timezone: Europe/Berlin\n  maxRangeDays: 10\n");
    const config = loadConfig({
      env: { CORE4_OPTION_usage__maxRangeDays: "20", CORE4_PORT: "7000" },
      file,
      sections: { usage },
    });
    expect(config.core.server.port).toBe(7000);
    expect(config.get("usage.timezone")).toBe("Europe/Berlin");
    expect(config.get("usage.maxRangeDays")).toBe(20);
  });

  it("reads CORE4_CONFIG and the named environment variables", () => {
    const file = yamlFile("log:\n  level: debug\n");
    const config = loadConfig({
      env: { CORE4_CONFIG: file, CORE4_MONGODB_URI: "mongodb://db:27017", CORE4_HOME: "/srv/core4" },
    });
    expect(config.core.log.level).toBe("debug");
    expect(config.core.mongodb.uri).toBe("mongodb://db:27017");
    expect(config.core.home).toBe("/srv/core4");
    expect(config.file).toBe(file);
  });

  it("types environment values from the schema: numbers, booleans, lists", () => {
    const config = loadConfig({
      env: {
        CORE4_OPTION_USAGE__EXCLUDEUSERS: "bob, alice",
        CORE4_OPTION_usage__enabled: "no",
        CORE4_OPTION_usage__timezone: "123",
      },
      sections: { usage },
    });
    expect(config.get("usage.excludeUsers")).toEqual(["bob", "alice"]);
    expect(config.get("usage.enabled")).toBe(false);
    // A string key keeps a numeric-looking value as a string.
    expect(config.get("usage.timezone")).toBe("123");
  });

  it("types a job override from the environment, also where the schema allows two kinds", () => {
    const env = (value: string) => ({ "CORE4_OPTION_jobs__usage.AggregateLogins__maxParallel": value });
    const jobs = (value: string) =>
      loadConfig({ env: env(value), sections: { usage } }).get("jobs") as Record<
        string,
        { maxParallel: number }
      >;
    expect(jobs("4")["usage.AggregateLogins"]?.maxParallel).toBe(4);
    expect(jobs("Infinity")["usage.AggregateLogins"]?.maxParallel).toBe(Number.POSITIVE_INFINITY);
    expect(() => jobs("0")).toThrow(/maxParallel/);
    expect(() => jobs("many")).toThrow(/CORE4_OPTION_jobs__usage\.AggregateLogins__maxParallel/);
  });

  it("names an unknown key and the file it came from", () => {
    const file = yamlFile("usage:\n  timezon: UTC\n");
    expect(() => loadConfig({ env: {}, file, sections: { usage } })).toThrow(
      new ConfigError(`unknown config key "usage.timezon" (from config file ${file})`),
    );
  });

  it("names a wrongly typed key and the environment variable it came from", () => {
    let error: unknown;
    try {
      loadConfig({ env: { CORE4_OPTION_usage__maxRangeDays: "many" }, sections: { usage } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/usage\.maxRangeDays/);
    expect((error as Error).message).toMatch(/CORE4_OPTION_usage__maxRangeDays/);
  });

  it("refuses an environment override of a key that does not exist", () => {
    expect(() => loadConfig({ env: { CORE4_OPTION_nope__x: "1" } })).toThrow(/unknown config key "nope\.x"/);
  });

  it("reports malformed YAML with the file name", () => {
    const file = yamlFile("server: [unclosed\n");
    expect(() => loadConfig({ env: {}, file })).toThrow(new RegExp(`config file ${file} is not valid YAML`));
  });

  it("reports a missing file", () => {
    expect(() => loadConfig({ env: { CORE4_CONFIG: "/nonexistent/core4.yaml" } })).toThrow(
      /cannot read config file \/nonexistent\/core4\.yaml: ENOENT/,
    );
  });

  it("is read-only", () => {
    const config = loadConfig({ env: {} });
    expect(() => {
      (config.core.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("refuses a plugin section that clashes with a core key", () => {
    expect(() => loadConfig({ env: {}, sections: { server: usage } })).toThrow(/clashes/);
  });
});
