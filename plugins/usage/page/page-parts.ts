import { escapeHtml } from "core4ts/server";

/** The usage pages' own style (the layout around them is the console's). */
export const PAGE_STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.25rem;color:#111827;line-height:1.45}
h1{font-size:1.4rem;margin:.2rem 0 .4rem}
h2{font-size:1.1rem;margin:1.2rem 0 .4rem}
.meta{color:#4b5563;margin:0 0 1rem}
form{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin:0 0 1rem}
label{display:flex;flex-direction:column;font-size:.85rem;color:#374151}
input,select,button{font:inherit;padding:.3rem .45rem}
.error{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;padding:.6rem .8rem;border-radius:.3rem}
figure{margin:0 0 1rem}
figure svg{width:100%;height:auto;display:block}
.totals{font-size:1.05rem}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #e5e7eb;padding:.3rem .5rem;text-align:left}
td.num,th.num{text-align:right}
tr.partial td{color:#6b7280;font-style:italic}
tfoot td{font-weight:600}
.up{color:#047857}.down{color:#b91c1c}
.downloads a{margin-right:1rem}
.embed{border:1px solid #e5e7eb;border-radius:.3rem;padding:.2rem .9rem .8rem;margin:1.2rem 0}
.embed textarea{width:100%;font:.8rem ui-monospace,monospace;box-sizing:border-box}
`;

/** What the "Embed" box shows: signed links to the current chart. */
export interface EmbedSnippet {
  /** Signed SVG chart URL. */
  svgUrl: string;
  /** Signed PNG chart URL (for e-mail clients that block SVG). */
  pngUrl: string;
  /** Signed URL of the page itself. */
  pageUrl: string;
  /** `alt` text of the image. */
  alt: string;
  /** When the links stop working (ISO). */
  expiresAt: string;
}

/** The "Embed" box: ready `<img>` snippets with signed links to the current chart, SVG and PNG. */
export function embedBox(embed: EmbedSnippet): string {
  const img = (url: string) =>
    `<img src="${escapeHtml(url)}" alt="${escapeHtml(embed.alt)}" style="width:100%">`;
  return [
    '<section class="embed" aria-labelledby="embed-heading"><h2 id="embed-heading">Embed</h2>',
    `<p class="meta">Signed links to this chart: anyone with them sees it without logging in, until ${escapeHtml(embed.expiresAt.slice(0, 10))}. Rotating the server secret revokes them.</p>`,
    `<label>SVG, for wikis and dashboards <textarea readonly rows="3">${escapeHtml(img(embed.svgUrl))}</textarea></label>`,
    `<label>PNG, for e-mail <textarea readonly rows="3">${escapeHtml(img(embed.pngUrl))}</textarea></label>`,
    `<p class="meta">Link to this page: <a href="${escapeHtml(embed.pageUrl)}">signed page link</a></p>`,
    "</section>",
  ].join("\n");
}
