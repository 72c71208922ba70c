/**
 * The console's script, served as `/core4/static/console.js` (never inline). Progressive enhancement only:
 * every page works without it. A page whose `<body>` carries `data-refresh="<seconds>"` (a running job)
 * reloads itself, unless the user is typing in a form.
 */
export const CONSOLE_JS = `(() => {
  const seconds = Number(document.body.dataset.refresh);
  if (!(seconds > 0)) return;
  setTimeout(() => {
    const active = document.activeElement;
    if (active && active.closest && active.closest("form.c4-filter")) return;
    location.reload();
  }, seconds * 1000);
})();
`;
