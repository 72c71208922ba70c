import type { JobState } from "../../framework/run/index.js";
import { escapeHtml } from "../reply/html.js";

/** A time as `2026-12-01 10:32:15` (UTC) in a `<time>` element; `-` for none. */
export function time(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '<span class="c4-muted">-</span>';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '<span class="c4-muted">-</span>';
  const iso = date.toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)}</time>`;
}

/** Seconds as a short duration: `0.042 s`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "-";
  if (seconds < 1) return `${seconds.toFixed(3)} s`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
  const minutes = Math.floor(whole / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** A progress bar (a `<progress>` element, readable without CSS) and its percentage. */
export function progressBar(value: number): string {
  const ratio = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
  const percent = `${Math.round(ratio * 100)}%`;
  return `<progress value="${ratio.toFixed(3)}" max="1">${percent}</progress> ${percent}`;
}

/** A job state as a coloured badge. */
export function stateBadge(state: JobState | "paused"): string {
  return `<span class="c4-state c4-state-${escapeHtml(state)}">${escapeHtml(state)}</span>`;
}

/** A POST form with one button, carrying `next` so the API redirects back here (303). */
export function actionForm(
  action: string,
  label: string,
  next: string,
  options: { danger?: boolean; fields?: Record<string, string> } = {},
): string {
  const fields = Object.entries(options.fields ?? {})
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
  const cls = options.danger ? ' class="c4-danger"' : "";
  return `<form class="c4-inline" method="post" action="${escapeHtml(action)}"><input type="hidden" name="next" value="${escapeHtml(next)}">${fields}<button type="submit"${cls}>${escapeHtml(label)}</button></form>`;
}

/** The path of a job's console page. */
export function jobPagePath(id: string): string {
  return `/core4/jobs/${encodeURIComponent(id)}`;
}
