import type { JobLogRecord } from "../../framework/queue/index.js";
import type { JobRecord, JournalEntry } from "../../framework/run/index.js";
import { escapeHtml } from "../reply/html.js";
import { actionForm, duration, jobPagePath, progressBar, stateBadge, time } from "./format.js";
import { CONSOLE_JOBS } from "./paths.js";

/** What the job page shows. */
export interface JobPageData {
  job: JobRecord;
  /** Its runs from the journal, newest first. */
  runs: JournalEntry[];
  /** Whether older runs exist beyond {@link runs}. */
  moreRuns: boolean;
  /** Its log records, oldest first. */
  log: JobLogRecord[];
  /** Whether more log records exist beyond {@link log}. */
  moreLog: boolean;
  canManage: boolean;
}

// Sources beyond this many are folded into a <details> element.
const SOURCES_SHOWN = 5;

function actions(data: JobPageData): string {
  if (!data.canManage) return "";
  const { job } = data;
  const api = `/core4/api/v1/jobs/${encodeURIComponent(job.id)}`;
  const self = jobPagePath(job.id);
  const buttons: string[] = [];
  if (["pending", "running", "deferred", "failed"].includes(job.state))
    buttons.push(actionForm(`${api}/kill`, "Kill", self, { danger: true }));
  if (["error", "killed", "inactive", "failed", "deferred"].includes(job.state))
    buttons.push(actionForm(`${api}/restart`, "Restart", self));
  if (job.state !== "running")
    buttons.push(actionForm(`${api}/remove`, "Remove", CONSOLE_JOBS, { danger: true }));
  return buttons.length ? `<div class="c4-actions">${buttons.join("")}</div>` : "";
}

function sources(list: readonly string[]): string {
  if (list.length === 0) return '<span class="c4-muted">-</span>';
  const items = (values: readonly string[]) =>
    values.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join("");
  if (list.length <= SOURCES_SHOWN) return `<ul>${items(list)}</ul>`;
  return `<ul>${items(list.slice(0, SOURCES_SHOWN))}</ul><details><summary>${list.length - SOURCES_SHOWN} more sources</summary><ul>${items(list.slice(SOURCES_SHOWN))}</ul></details>`;
}

function facts(job: JobRecord): string {
  const rows: [string, string][] = [
    ["State", stateBadge(job.state)],
    [
      "Progress",
      `${progressBar(job.progress.value)}${job.progress.message ? ` ${escapeHtml(job.progress.message)}` : ""}`,
    ],
    ["Attempts", `${job.attempts} made, ${job.attemptsLeft} left`],
    ["Enqueued", time(job.enqueued)],
    ["Started", time(job.started)],
    ["Finished", time(job.finished)],
    ["Runtime", duration(job.runtime)],
    ["Arguments", `<pre>${escapeHtml(JSON.stringify(job.args, null, 2))}</pre>`],
    ["Sources", sources(job.sources)],
    ["Last error", job.error ? `<pre>${escapeHtml(job.error)}</pre>` : '<span class="c4-muted">-</span>'],
  ];
  return `<dl class="c4-facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

function runsTable(data: JobPageData): string {
  if (data.runs.length === 0) return '<p class="c4-muted">No finished run yet.</p>';
  const rows = data.runs.map(
    (r) =>
      `<tr><td>${time(r.started)}</td><td>${time(r.finished)}</td><td>${stateBadge(r.state)}</td><td class="c4-num">${duration(r.runtime)}</td><td class="c4-num">${r.attempts}/${r.attempts + r.attemptsLeft}</td><td>${escapeHtml(r.recovered ? "recovered" : `${r.hostname} ${r.pid}`)}</td><td class="c4-wrap">${escapeHtml(r.error ?? "")}</td></tr>`,
  );
  const more = data.moreRuns ? '<p class="c4-muted">Older runs are not shown.</p>' : "";
  return `<div class="c4-scroll"><table class="c4-job-runs"><thead><tr><th scope="col">Started</th><th scope="col">Finished</th><th scope="col">State</th><th scope="col" class="c4-num">Runtime</th><th scope="col" class="c4-num">Attempts</th><th scope="col">Host</th><th scope="col">Error</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table></div>${more}`;
}

function logTable(data: JobPageData): string {
  const api = `/core4/api/v1/jobs/${encodeURIComponent(data.job.id)}/log`;
  const links = `<p class="c4-muted">As <a href="${api}?content_type=json">JSON</a>, <a href="${api}?content_type=csv">CSV</a> or <a href="${api}?content_type=text">text</a>; <code>coco logs ${escapeHtml(data.job.id)} --follow</code> follows it.</p>`;
  if (data.log.length === 0) return `<p class="c4-muted">No log records.</p>${links}`;
  const rows = data.log.map(
    (r) =>
      `<tr><td>${time(r.created)}</td><td class="c4-level-${escapeHtml(r.level)}">${escapeHtml(r.level)}</td><td class="c4-wrap">${escapeHtml(r.message)}</td><td class="c4-muted">${escapeHtml(r.name)}</td></tr>`,
  );
  const more = data.moreLog ? '<p class="c4-muted">Only the first records are shown.</p>' : "";
  return `<div class="c4-scroll"><table class="c4-log"><thead><tr><th scope="col">Time</th><th scope="col">Level</th><th scope="col">Message</th><th scope="col">Logger</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table></div>${more}${links}`;
}

/** The body of `/core4/jobs/:id`: facts, buttons, runs from the journal and the job's log records. */
export function jobPageBody(data: JobPageData): string {
  const { job } = data;
  return `<p><a href="${CONSOLE_JOBS}">← Jobs</a></p>
<h1>${escapeHtml(job.name)} <code>${escapeHtml(job.id)}</code></h1>
${actions(data)}
${facts(job)}
<h2>Runs</h2>
${runsTable(data)}
<h2>Log</h2>
${logTable(data)}`;
}
