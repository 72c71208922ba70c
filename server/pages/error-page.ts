import { STATUS_CODES } from "node:http";
import { escapeHtml, htmlPage } from "../reply/html.js";

/** An HTML error page for browsers: status, reason and the escaped one-line error. */
export function errorPage(status: number, error: string, requestId: string): string {
  const reason = STATUS_CODES[status] ?? "Error";
  return htmlPage(
    `${status} ${reason}`,
    `<h1>${status} ${escapeHtml(reason)}</h1>
<p class="error">${escapeHtml(error)}</p>
<p><small>request ${escapeHtml(requestId)}</small></p>`,
  );
}
