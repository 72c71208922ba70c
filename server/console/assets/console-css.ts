/**
 * The console's style sheet, served as `/core4/static/console.css` (docs/contracts.md "HTTP": no inline
 * script, style from 'self'). The header rules are scoped to `.c4-top` so that plugin pages wrapped in the
 * console layout keep their own look.
 */
export const CONSOLE_CSS = `
:root{--c4-ink:#111827;--c4-muted:#6b7280;--c4-line:#e5e7eb;--c4-bg:#f9fafb;--c4-accent:#1d4ed8;--c4-danger:#b91c1c}
.c4-top{display:flex;align-items:center;gap:1.25rem;padding:.55rem 1.25rem;background:#111827;color:#f9fafb;font:15px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 0 1rem}
.c4-top a{color:#e5e7eb;text-decoration:none;padding:.2rem .1rem;border-bottom:2px solid transparent}
.c4-top a:hover,.c4-top a[aria-current=page]{color:#fff;border-bottom-color:#60a5fa}
.c4-top .c4-brand{font-weight:700;letter-spacing:.02em;color:#fff}
.c4-top nav{display:flex;gap:1rem;flex:1;flex-wrap:wrap}
.c4-top .c4-user{color:#d1d5db}
.c4-top form{margin:0}
.c4-top button{font:inherit;font-size:.85rem;background:transparent;color:#e5e7eb;border:1px solid #4b5563;border-radius:.3rem;padding:.15rem .6rem;cursor:pointer}
.c4-top button:hover{border-color:#9ca3af;color:#fff}
body.c4{margin:0;color:var(--c4-ink);background:#fff;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
body.c4 main{padding:0 1.25rem 2rem;max-width:90rem}
body.c4 h1{font-size:1.4rem;margin:.2rem 0 .8rem}
body.c4 h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
body.c4 a{color:var(--c4-accent)}
body.c4 .c4-muted{color:var(--c4-muted)}
body.c4 .c4-scroll{overflow-x:auto}
body.c4 table{border-collapse:collapse;font-variant-numeric:tabular-nums;width:100%}
body.c4 th,body.c4 td{border-bottom:1px solid var(--c4-line);padding:.3rem .5rem;text-align:left;vertical-align:top;white-space:nowrap}
body.c4 th{background:var(--c4-bg);font-weight:600;font-size:.85rem}
body.c4 td.c4-num,body.c4 th.c4-num{text-align:right}
body.c4 td.c4-wrap{white-space:normal;max-width:32rem;overflow-wrap:anywhere}
body.c4 td.c4-zero{color:#d1d5db}
body.c4 tr:hover td{background:#fcfcfd}
body.c4 dl.c4-facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.2rem;margin:0 0 1rem}
body.c4 dl.c4-facts dt{color:var(--c4-muted)}
body.c4 dl.c4-facts dd{margin:0;overflow-wrap:anywhere}
body.c4 pre{background:var(--c4-bg);border:1px solid var(--c4-line);border-radius:.3rem;padding:.5rem .7rem;margin:0;white-space:pre-wrap;overflow-wrap:anywhere;max-height:24rem;overflow:auto}
body.c4 form.c4-inline{display:inline;margin:0}
body.c4 .c4-actions{display:flex;gap:.5rem;flex-wrap:wrap;margin:.5rem 0 1rem}
body.c4 button,body.c4 .c4-button{font:inherit;font-size:.85rem;border:1px solid #d1d5db;background:#fff;border-radius:.3rem;padding:.2rem .65rem;cursor:pointer;color:var(--c4-ink);text-decoration:none}
body.c4 button:hover{border-color:#9ca3af;background:var(--c4-bg)}
body.c4 button.c4-danger{color:var(--c4-danger);border-color:#fecaca}
body.c4 form.c4-filter{display:flex;gap:.75rem;align-items:flex-end;flex-wrap:wrap;margin:.3rem 0 .8rem}
body.c4 form.c4-filter label{display:flex;flex-direction:column;font-size:.8rem;color:var(--c4-muted)}
body.c4 select,body.c4 input{font:inherit;padding:.2rem .4rem}
body.c4 .c4-pager{display:flex;gap:1rem;align-items:center;margin:.6rem 0}
body.c4 .c4-state{display:inline-block;border-radius:1rem;padding:0 .55rem;font-size:.8rem;font-weight:600;background:#e5e7eb;color:#374151}
body.c4 .c4-state-running{background:#dbeafe;color:#1e40af}
body.c4 .c4-state-complete{background:#dcfce7;color:#166534}
body.c4 .c4-state-error,body.c4 .c4-state-killed{background:#fee2e2;color:#991b1b}
body.c4 .c4-state-failed,body.c4 .c4-state-deferred{background:#fef3c7;color:#92400e}
body.c4 .c4-state-inactive{background:#f3f4f6;color:#6b7280}
body.c4 .c4-state-paused{background:#fde68a;color:#78350f}
body.c4 .c4-level-WARNING{color:#92400e;font-weight:600}
body.c4 .c4-level-ERROR,body.c4 .c4-level-CRITICAL{color:var(--c4-danger);font-weight:600}
body.c4 .c4-level-DEBUG{color:var(--c4-muted)}
body.c4 progress{width:6rem;height:.7rem;vertical-align:middle}
body.c4 .c4-notice{background:#eff6ff;border:1px solid #bfdbfe;padding:.5rem .8rem;border-radius:.3rem;margin:0 0 1rem}
body.c4 ul.c4-pages{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:.8rem}
body.c4 ul.c4-pages a{display:block;border:1px solid var(--c4-line);border-radius:.4rem;padding:.8rem 1rem;text-decoration:none}
body.c4 ul.c4-pages a:hover{border-color:var(--c4-accent);background:#f8fafc}
body.c4 ul.c4-pages small{display:block;color:var(--c4-muted)}
body.c4-login{margin:0;max-width:none;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f3f4f6;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--c4-ink)}
body.c4-login main{background:#fff;border:1px solid var(--c4-line);border-radius:.6rem;padding:1.6rem 1.8rem;width:min(22rem,90vw);box-shadow:0 4px 18px rgba(0,0,0,.06)}
body.c4-login h1{font-size:1.3rem;margin:0 0 1rem}
body.c4-login .c4-brand{font-weight:700;color:var(--c4-muted);font-size:.85rem;letter-spacing:.05em;text-transform:uppercase;margin:0 0 .2rem}
body.c4-login label{display:flex;flex-direction:column;gap:.2rem;margin:0 0 .8rem;font-size:.9rem}
body.c4-login input{font:inherit;padding:.4rem .5rem;border:1px solid #d1d5db;border-radius:.3rem}
body.c4-login button{font:inherit;width:100%;padding:.45rem;border:0;border-radius:.3rem;background:var(--c4-accent);color:#fff;cursor:pointer;margin-top:.3rem}
body.c4-login .error{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;padding:.5rem .7rem;border-radius:.3rem}
`;
