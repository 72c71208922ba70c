const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** Options of {@link htmlPage}. */
export interface HtmlPageOptions {
  /** Extra markup for `<head>` (already escaped/trusted). */
  head?: string;
  /** Class of `<body>` (a style sheet's hook). */
  bodyClass?: string;
}

/**
 * A complete HTML5 page with the shared minimal style. `title` is escaped; `body` is trusted markup: build
 * it with {@link escapeHtml} for every value that came from outside.
 */
export function htmlPage(title: string, body: string, options: HtmlPageOptions = {}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:72rem}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
th{background:#f3f3f3}
.error{color:#a00}
form label{display:block;margin:.5rem 0}
</style>${options.head ?? ""}
</head><body${options.bodyClass ? ` class="${escapeHtml(options.bodyClass)}"` : ""}>
${body}
</body></html>
`;
}
