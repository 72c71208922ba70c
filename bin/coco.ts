#!/usr/bin/env node
/**
 * coco: the core4ts command line, and the composition root that wires framework, server and plugins.
 */
import { createRequire } from "node:module";
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { runCommandLine } from "./cli/command-line.js";

const { version } = createRequire(import.meta.url)("core4ts/package.json") as { version: string };

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** The flags of `coco enqueue` as commander hands them over. */
interface EnqueueCommandFlags {
  args?: string;
  each?: string;
  partial?: boolean;
  delay?: string;
  at?: string;
  priority?: number;
  attempts?: number;
  json?: boolean;
}

const program = new Command("coco")
  .description("core4ts: jobs over BullMQ and Redis, MongoDB data, an API server, and the usage report")
  .version(version, "-V, --version", "print the core4ts version")
  .option("--verbose", "print stack traces of errors");

program
  .command("serve")
  .description("run the API server")
  .option("--port <n>", "HTTP port (default CORE4_PORT or 5001)", integer("--port", 0, 65_535))
  .action(async (o: { port?: number }) => {
    const { runParts } = await import("./commands/process-commands.js");
    await runParts("serve", { serve: true, port: o.port });
  });

program
  .command("worker")
  .description("run a worker pool for the registered jobs")
  .option("--concurrency <n>", "jobs of each type run at once", integer("--concurrency", 1, 1000))
  .action(async (o: { concurrency?: number }) => {
    const { runParts } = await import("./commands/process-commands.js");
    await runParts("worker", { worker: true, concurrency: o.concurrency });
  });

program
  .command("scheduler")
  .description("enqueue scheduled jobs on time")
  .action(async () => {
    const { runParts } = await import("./commands/process-commands.js");
    await runParts("scheduler", { scheduler: true });
  });

program
  .command("dev")
  .description("embedded services, server, worker and scheduler in one process")
  .option("--port <n>", "HTTP port", integer("--port", 0, 65_535))
  .option("--concurrency <n>", "worker concurrency", integer("--concurrency", 1, 1000))
  .action(async (o: { port?: number; concurrency?: number }) => {
    const { runParts } = await import("./commands/process-commands.js");
    await runParts("dev", {
      serve: true,
      worker: true,
      scheduler: true,
      port: o.port,
      concurrency: o.concurrency,
    });
  });

program
  .command("demo")
  .description("dev plus sample logins and the usage report")
  .option("--port <n>", "HTTP port", integer("--port", 0, 65_535))
  .action(async (o: { port?: number }) => {
    const { demoCommand } = await import("./commands/demo-command.js");
    await demoCommand({ port: o.port });
  });

program
  .command("enqueue")
  .description("enqueue a job and print its id")
  .argument("<job>", "job name, e.g. usage.AggregateLogins")
  .argument("[args...]", "arguments as name=value")
  .option("--args <json>", "arguments as a JSON object")
  .option("--each <file>", "one job per JSON line or JSON array element of the file (- for stdin)")
  .option("--partial", "with --each: enqueue the good lines although others are bad")
  .option("--delay <duration>", "wait before the job may run: seconds or 30s, 10m, 2h, 1d")
  .option("--at <iso>", "run no earlier than this ISO date-time")
  .option("--priority <n>", "BullMQ priority: 1 runs first", integer("--priority", 0, 2_097_151))
  .option("--attempts <n>", "runs that may end in an error", integer("--attempts", 1, 1_000_000))
  .option("--json", "print the job record as JSON")
  .action(async (job: string, args: string[], o: EnqueueCommandFlags) => {
    const { enqueueCommand } = await import("./commands/job-commands.js");
    await enqueueCommand(job, args, o);
  });

program
  .command("run")
  .description("run a job inline, without queue or Redis")
  .argument("<job>", "job name")
  .argument("[args...]", "arguments as name=value")
  .option("--args <json>", "arguments as a JSON object")
  .option("--json", "print the run record as JSON")
  .action(async (job: string, args: string[], o: { args?: string; json?: boolean }) => {
    const { runCommand } = await import("./commands/job-commands.js");
    await runCommand(job, args, o);
  });

program
  .command("jobs")
  .description("list jobs")
  .option("--state <states>", "only these states (comma separated)")
  .option("--name <job>", "only jobs of this name")
  .option("--limit <n>", "at most this many jobs, newest first", integer("--limit", 1, 1_000_000))
  .option("--json", "print JSON")
  .action(async (o: { state?: string; name?: string; limit?: number; json?: boolean }) => {
    const { jobsCommand } = await import("./commands/job-commands.js");
    await jobsCommand(o);
  });

program
  .command("job")
  .description("show one job")
  .argument("<id>", "job id")
  .option("--json", "print JSON")
  .action(async (id: string, o: { json?: boolean }) => {
    const { jobCommand } = await import("./commands/job-commands.js");
    await jobCommand(id, o);
  });

program
  .command("kill")
  .description("kill a job")
  .argument("<id>", "job id")
  .option("--json", "print JSON")
  .action(async (id: string, o: { json?: boolean }) => {
    const { controlCommand } = await import("./commands/job-commands.js");
    await controlCommand("kill", id, o);
  });

for (const action of ["restart", "remove"] as const) {
  program
    .command(action)
    .description(`${action} a job, or every job of --name in --state`)
    .argument("[id]", "job id")
    .option("--name <job>", "with --state: every job of this name")
    .option("--state <state>", "with --name: every job in this state")
    .option("--json", "print JSON")
    .action(async (id: string | undefined, o: { json?: boolean; name?: string; state?: string }) => {
      const { controlCommand } = await import("./commands/job-commands.js");
      await controlCommand(action, id, o);
    });
}

program
  .command("logs")
  .description("print a job's log records, oldest first")
  .argument("<id>", "job id")
  .option("--follow", "keep printing new records until the job has ended")
  .option("--json", "print JSON (one record per line with --follow)")
  .action(async (id: string, o: { follow?: boolean; json?: boolean }) => {
    const { logsCommand } = await import("./commands/console-commands.js");
    await logsCommand(id, o);
  });

program
  .command("types")
  .description("list job types with counts per state, paused, schedule and next run")
  .option("--json", "print JSON")
  .action(async (o: { json?: boolean }) => {
    const { typesCommand } = await import("./commands/console-commands.js");
    await typesCommand(o);
  });

for (const action of ["pause", "resume"] as const) {
  program
    .command(action)
    .description(`${action} a job type on every worker`)
    .argument("<job>", "job name")
    .option("--json", "print JSON")
    .action(async (job: string, o: { json?: boolean }) => {
      const { pauseCommand } = await import("./commands/console-commands.js");
      await pauseCommand(action, job, o);
    });
}

program
  .command("schedules")
  .description("list schedules: pattern, time zone, next 3 runs, last scheduled run, policy")
  .option("--json", "print JSON")
  .action(async (o: { json?: boolean }) => {
    const { schedulesCommand } = await import("./commands/job-commands.js");
    await schedulesCommand(o);
  });

const role = program.command("role").description("manage users and roles");
role
  .command("add")
  .argument("<name>", "login name")
  .option("--password <password>", "password, visible in ps: prefer CORE4_ROLE_PASSWORD or the prompt")
  .option("--email <email>", "e-mail address")
  .addOption(new Option("--perm <patterns...>", "permission patterns, e.g. api://usage/*"))
  .option("--json", "print JSON")
  .action(async (name: string, o: { password?: string; email?: string; perm?: string[]; json?: boolean }) => {
    const { roleAddCommand } = await import("./commands/role-commands.js");
    await roleAddCommand(name, o);
  });
role
  .command("list")
  .option("--json", "print JSON")
  .action(async (o: { json?: boolean }) => {
    const { roleListCommand } = await import("./commands/role-commands.js");
    await roleListCommand(o);
  });
role
  .command("remove")
  .argument("<name>", "login name")
  .action(async (name: string) => {
    const { roleRemoveCommand } = await import("./commands/role-commands.js");
    await roleRemoveCommand(name);
  });

program
  .command("services")
  .description("start the embedded services in the background and print their URLs; `stop` stops them")
  .addArgument(new Argument("[action]", "stop").choices(["stop"]))
  .action(async (action: string | undefined) => {
    const { servicesCommand, servicesStopCommand } = await import("./commands/services.js");
    if (action === "stop") await servicesStopCommand();
    else await servicesCommand();
  });

program
  .command("init")
  .description("scaffold a new plugin project")
  .argument("<name>", "project and plugin name (lowercase identifier)")
  .option("--from <spec>", "core4ts for the project's dependency: a version, tarball, folder or git URL")
  .action(async (name: string, o: { from?: string }) => {
    const { initCommand } = await import("./commands/init-command.js");
    await initCommand(name, o);
  });

await runCommandLine(program);
