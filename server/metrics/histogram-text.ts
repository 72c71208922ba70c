/** Escapes a label value for the Prometheus text format. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** A sample value in the Prometheus text format (infinities spelled as it wants them). */
export function sampleNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : "-Inf";
}

/** `name="value",...` of a series, values escaped. */
export function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabel(value)}"`)
    .join(",");
}

/**
 * The `_bucket`, `_sum` and `_count` lines of one histogram series, from per-bucket counts (not
 * cumulative: `counts[i]` observations fell into bucket `i`, the last one above every bound).
 */
export function histogramLines(
  name: string,
  labels: string,
  bounds: readonly number[],
  counts: ArrayLike<number>,
  sum: number,
): string[] {
  const lines: string[] = [];
  const prefix = labels ? `,${labels}` : "";
  let cumulative = 0;
  bounds.forEach((bound, i) => {
    cumulative += counts[i] ?? 0;
    lines.push(`${name}_bucket{le="${bound}"${prefix}} ${cumulative}`);
  });
  cumulative += counts[bounds.length] ?? 0;
  lines.push(`${name}_bucket{le="+Inf"${prefix}} ${cumulative}`);
  lines.push(`${name}_sum${labels ? `{${labels}}` : ""} ${sampleNumber(sum)}`);
  lines.push(`${name}_count${labels ? `{${labels}}` : ""} ${cumulative}`);
  return lines;
}
