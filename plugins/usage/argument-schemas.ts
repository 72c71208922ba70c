import { arg } from "core4ts/server";
import { z } from "zod";
import { ReportArgumentError } from "./report-argument-error.js";

/**
 * The usage routes' word and number arguments as the server's `arg` schemas, so they follow the same text
 * rules as every request argument (docs/configuration.md "How text becomes a value"). Blank (an empty form
 * field) counts as not given. The report reads them through {@link readReportArgument}, which keeps the
 * plugin's messages (`aggregate: "fortnight" is not one of …`, docs/usage.md) rather than `getArgument`'s.
 */
function blankIsAbsent<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (value) => (value === null || (typeof value === "string" && value.trim() === "") ? undefined : value),
    schema,
  );
}

/** `aggregate`: day|week|month|quarter|year or d|w|m|q|y, any case; default week. */
export const aggregateArgument = blankIsAbsent(
  arg
    .choice(["day", "week", "month", "quarter", "year"], {
      d: "day",
      w: "week",
      m: "month",
      q: "quarter",
      y: "year",
    })
    .default("week"),
);

/** `compare`: previous or year, any case; none when not given. */
export const compareArgument = blankIsAbsent(arg.choice(["previous", "year"]).optional());

/** `format` of a plot route: svg (default) or png. */
export const formatArgument = blankIsAbsent(arg.choice(["svg", "png"]).default("svg"));

/** `width`, `height` of a chart in pixels: an integer from 100 to 10000, or not given. */
export const dimensionArgument = blankIsAbsent(arg.int({ min: 100, max: 10_000 }).optional());

/**
 * Reads `value` with `schema`; a refusal is a {@link ReportArgumentError} naming `name`, worded by `refusal`
 * from the value as shown (`"fortnight"`, cut to 20 characters, or its type).
 */
export function readReportArgument<T extends z.ZodType>(
  name: string,
  value: unknown,
  schema: T,
  refusal: (shown: string) => string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const shown = typeof value === "string" ? `"${value.slice(0, 20)}"` : typeof value;
  throw new ReportArgumentError(name, `${name}: ${refusal(shown)}`);
}
