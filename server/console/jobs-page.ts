import type { JobTypeInfo } from "../../framework/queue/index.js";
import { JOB_STATES, type JobRecord, type JobState, type JournalEntry } from "../../framework/run/index.js";
import { escapeHtml } from "../reply/html.js";
import { actionForm, duration, jobPagePath, progressBar, stateBadge, time } from "./format.js";
import { CONSOLE_JOBS } from "./paths.js";

/** The filter and paging of the jobs page, as its query string carries them. */
export interface JobsPageQuery {
  state?: JobState;
  name?: string;
  /** Page of the queue list, from 1. */
  page: number;
  /** Rows per page. */
  size: number;
  /** Cursor of the run history (`<finished ms>.<run id>`), absent for the newest runs. */
  before?: string;
}

/** What the jobs page shows. */
export interface JobsPageData {
  query: JobsPageQuery;
  /** Job types with counts; undefined when the server has no queue. */
  types: JobTypeInfo[] | undefined;
  /** The page of jobs in the queue, newest first. */
  jobs: JobRecord[];
  /** Whether the queue list has a next page. */
  moreJobs: boolean;
  /** The page of finished runs from the journal, newest first. */
  runs: JournalEntry[];
  /** Cursor of the next page of runs, undefined on the last. */
  nextRuns: string | undefined;
  /** Whether the user may pause, resume and restart (`api://core4/jobs/manage`). */
  canManage: boolean;
  /** The page's own path and query, where its forms come back to. */
  self: string;
}

const COUNT_STATES: readonly JobState[] = JOB_STATES;

/** The jobs page URL with the given filter and paging. */
export function jobsUrl(query: Partial<JobsPageQuery>): string {
  const params = new URLSearchParams();
  if (query.state) params.set("state", query.state);
  if (query.name) params.set("name", query.name);
  if (query.page && query.page > 1) params.set("page", String(query.page));
  if (query.size && query.size !== 50) params.set("size", String(query.size));
  if (query.before) params.set("before", query.before);
  const search = params.toString();
  return search ? `${CONSOLE_JOBS}?${search}` : CONSOLE_JOBS;
}

function typesTable(data: JobsPageData): string {
  const types = data.types;
  if (!types) return '<p class="c4-notice">The server runs without Redis: no job types to show.</p>';
  if (types.length === 0) return '<p class="c4-muted">No job types registered or enqueued yet.</p>';
  const head = [
    '<th scope="col">Job type</th>',
    ...COUNT_STATES.map((s) => `<th scope="col" class="c4-num">${escapeHtml(s)}</th>`),
    '<th scope="col">Paused</th><th scope="col">Schedule</th><th scope="col">Next run</th>',
    '<th scope="col">Rate limit</th><th scope="col" class="c4-num">Max parallel</th>',
    data.canManage ? '<th scope="col">Actions</th>' : "",
  ].join("");
  const rows = types.map((t) => {
    const counts = COUNT_STATES.map((s) => {
      const n = t.counts[s];
      if (n === 0) return '<td class="c4-num c4-zero">0</td>';
      return `<td class="c4-num"><a href="${escapeHtml(jobsUrl({ name: t.name, state: s }))}">${n}</a></td>`;
    }).join("");
    const schedule = t.schedule
      ? `<code>${escapeHtml(t.schedule.pattern)}</code> <span class="c4-muted">${escapeHtml(t.schedule.timezone)}</span>`
      : '<span class="c4-muted">-</span>';
    const next = t.schedule?.next ? time(t.schedule.next) : '<span class="c4-muted">-</span>';
    const rate = t.rateLimit
      ? `${t.rateLimit.max} per ${t.rateLimit.duration} s`
      : '<span class="c4-muted">-</span>';
    let actions = "";
    if (data.canManage) {
      const base = `/core4/api/v1/jobs/types/${encodeURIComponent(t.name)}`;
      const toggle = t.paused
        ? actionForm(`${base}/resume`, "Resume", data.self)
        : actionForm(`${base}/pause`, "Pause", data.self);
      const restart =
        t.counts.error > 0
          ? ` ${actionForm(`${base}/restart`, `Restart all in error (${t.counts.error})`, data.self, { fields: { state: "error" } })}`
          : "";
      actions = `<td>${toggle}${restart}</td>`;
    }
    return `<tr data-type="${escapeHtml(t.name)}"><th scope="row"><a href="${escapeHtml(jobsUrl({ name: t.name }))}">${escapeHtml(t.name)}</a></th>${counts}<td>${t.paused ? stateBadge("paused") : "no"}</td><td>${schedule}</td><td>${next}</td><td>${rate}</td><td class="c4-num">${t.maxParallel ?? "-"}</td>${actions}</tr>`;
  });
  return `<div class="c4-scroll"><table class="c4-types"><thead><tr>${head}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table></div>`;
}

function filterForm(data: JobsPageData): string {
  const { query } = data;
  const states = ['<option value="">any</option>']
    .concat(
      JOB_STATES.map(
        (s) => `<option value="${s}"${query.state === s ? " selected" : ""}>${escapeHtml(s)}</option>`,
      ),
    )
    .join("");
  const names = ['<option value="">any</option>']
    .concat(
      (data.types ?? []).map(
        (t) =>
          `<option value="${escapeHtml(t.name)}"${query.name === t.name ? " selected" : ""}>${escapeHtml(t.name)}</option>`,
      ),
    )
    .join("");
  return `<form class="c4-filter" method="get" action="${CONSOLE_JOBS}">
<label>State <select name="state">${states}</select></label>
<label>Job type <select name="name">${names}</select></label>
<button type="submit">Filter</button>${query.state || query.name ? ` <a href="${CONSOLE_JOBS}">clear</a>` : ""}
</form>`;
}

function attempts(made: number, left: number): string {
  return `${made}/${made + left}`;
}

function jobsTable(data: JobsPageData): string {
  if (data.jobs.length === 0) return '<p class="c4-muted">No jobs in the queue match.</p>';
  const rows = data.jobs.map(
    (j) =>
      `<tr><td><a href="${escapeHtml(jobPagePath(j.id))}"><code>${escapeHtml(j.id)}</code></a></td><td>${escapeHtml(j.name)}</td><td>${stateBadge(j.state)}</td><td>${progressBar(j.progress.value)}</td><td class="c4-num">${attempts(j.attempts, j.attemptsLeft)}</td><td>${time(j.enqueued)}</td><td>${time(j.started)}</td><td class="c4-num">${duration(j.runtime)}</td><td class="c4-wrap">${escapeHtml(j.error ?? j.progress.message ?? "")}</td></tr>`,
  );
  return `<div class="c4-scroll"><table class="c4-jobs"><thead><tr><th scope="col">Job</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col" class="c4-num">Attempts</th><th scope="col">Enqueued</th><th scope="col">Started</th><th scope="col" class="c4-num">Runtime</th><th scope="col">Message</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table></div>`;
}

function jobsPager(data: JobsPageData): string {
  const { query } = data;
  const links: string[] = [];
  if (query.page > 1)
    links.push(
      `<a href="${escapeHtml(jobsUrl({ ...query, before: undefined, page: query.page - 1 }))}" rel="prev">Newer</a>`,
    );
  links.push(`<span class="c4-muted">page ${query.page}</span>`);
  if (data.moreJobs)
    links.push(
      `<a href="${escapeHtml(jobsUrl({ ...query, before: undefined, page: query.page + 1 }))}" rel="next">Older</a>`,
    );
  return `<nav class="c4-pager" aria-label="Jobs pages">${links.join("")}</nav>`;
}

function runsTable(data: JobsPageData): string {
  if (data.runs.length === 0) return '<p class="c4-muted">No finished runs match.</p>';
  const rows = data.runs.map(
    (r) =>
      `<tr><td>${time(r.finished)}</td><td><a href="${escapeHtml(jobPagePath(r.job_id))}"><code>${escapeHtml(r.job_id)}</code></a></td><td>${escapeHtml(r.name)}</td><td>${stateBadge(r.state)}</td><td>${progressBar(r.progress?.value ?? 0)}</td><td class="c4-num">${attempts(r.attempts, r.attemptsLeft)}</td><td>${time(r.enqueued)}</td><td>${time(r.started)}</td><td class="c4-num">${duration(r.runtime)}</td><td class="c4-wrap">${escapeHtml(r.error ?? "")}</td></tr>`,
  );
  const { query } = data;
  const pager = [
    query.before
      ? `<a href="${escapeHtml(jobsUrl({ ...query, page: 1, before: undefined }))}">Newest</a>`
      : "",
    data.nextRuns
      ? `<a href="${escapeHtml(jobsUrl({ ...query, page: 1, before: data.nextRuns }))}" rel="next">Older runs</a>`
      : "",
  ].join("");
  return `<div class="c4-scroll"><table class="c4-runs"><thead><tr><th scope="col">Finished</th><th scope="col">Job</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col" class="c4-num">Attempts</th><th scope="col">Enqueued</th><th scope="col">Started</th><th scope="col" class="c4-num">Runtime</th><th scope="col">Error</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table></div><nav class="c4-pager" aria-label="Run history pages">${pager}</nav>`;
}

/** The body of `/core4/jobs`: job types, the filter, the queue's jobs and the run history. */
export function jobsPageBody(data: JobsPageData): string {
  return `<h1>Jobs</h1>
<h2>Job types</h2>
${typesTable(data)}
<h2 id="jobs">Jobs in the queue</h2>
${filterForm(data)}
${jobsTable(data)}
${jobsPager(data)}
<h2 id="runs">Run history</h2>
<p class="c4-muted">Every finished run from the journal, newest first.</p>
${runsTable(data)}`;
}
