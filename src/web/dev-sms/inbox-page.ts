// The dev SMS inbox page: server-rendered so it works without JavaScript; inbox.js then keeps it fresh.
import type { DevSmsMessage } from './store.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** The one-time code in a message: the first run of 4 to 10 digits, if any. */
export function findCode(text: string): string | undefined {
  return text.match(/(?<![0-9])[0-9]{4,10}(?![0-9])/)?.[0];
}

function renderRow(message: DevSmsMessage): string {
  const code = findCode(message.text);
  return `<li class="message" data-id="${escapeHtml(message.id)}">
  <div class="meta"><span class="to">To +${escapeHtml(message.to)}</span> <span class="from">from ${escapeHtml(message.from)}</span>
  <time datetime="${escapeHtml(message.receivedAt)}">${escapeHtml(message.receivedAt)}</time></div>
  ${code === undefined ? '' : `<p class="code" aria-label="One-time code">${escapeHtml(code)}</p>`}
  <p class="text">${escapeHtml(message.text)}</p>
</li>`;
}

/** The whole inbox; `base` is the plugin's mount path ending in `/`, for links and assets; `csrf` guards Clear. */
export function renderInboxPage(messages: DevSmsMessage[], base: string, csrf: string): string {
  const list =
    messages.length === 0
      ? '<p id="empty">No messages yet. Messages sent to the mock SMS provider appear here.</p>'
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev SMS inbox</title>
<noscript><meta http-equiv="refresh" content="2"></noscript>
<link rel="stylesheet" href="${escapeHtml(base)}inbox.css">
<script src="${escapeHtml(base)}inbox.js" defer></script>
</head>
<body data-base="${escapeHtml(base)}">
<header><h1>Dev SMS inbox</h1><p>Messages received by the mock SMS provider (Vonage API). For development only.</p></header>
<main>
<form method="post" action="${escapeHtml(base)}clear"><input type="hidden" name="csrf" value="${escapeHtml(csrf)}"><button type="submit" id="clear">Clear</button></form>
<div aria-live="polite">
${list}
<ol id="messages">${messages.map(renderRow).join('\n')}</ol>
</div>
</main>
</body>
</html>
`;
}

/** The answer to a Clear without the page's token (sent from another site, or from a page of an earlier run). */
export function renderRefusedPage(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Dev SMS inbox</title>
<link rel="stylesheet" href="${escapeHtml(base)}inbox.css">
</head>
<body>
<main><h1>Not cleared</h1><p>The Clear form was sent without its security token, or from another page.
<a href="${escapeHtml(base)}">Open the inbox</a> and try again.</p></main>
</body>
</html>
`;
}

export const INBOX_CSS = `body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2129}
header{background:#1f2a37;color:#fff;padding:1rem 2rem}header h1{margin:0 0 .25rem;font-size:1.4rem}header p{margin:0;opacity:.8}
main{max-width:48rem;margin:1.5rem auto;padding:0 1rem}
#clear{padding:.4rem 1rem;border:1px solid #b42318;background:#fff;color:#b42318;border-radius:4px;cursor:pointer}
#messages{list-style:none;padding:0}
.message{background:#fff;border:1px solid #d0d5dd;border-radius:6px;padding:.75rem 1rem;margin:.75rem 0}
.meta{display:flex;gap:1rem;flex-wrap:wrap;font-size:.9rem;color:#475467}.to{font-weight:600;color:#1d2129}
.code{font:700 2rem/1.2 ui-monospace,monospace;letter-spacing:.25em;margin:.5rem 0;color:#0b5394}
.text{margin:.25rem 0;white-space:pre-wrap;word-break:break-word}
`;

/** Polls the JSON API every 2 s and redraws the list with DOM nodes (textContent only, never innerHTML). */
export const INBOX_JS = `'use strict';
(function () {
  var base = document.body.getAttribute('data-base') || './';
  var list = document.getElementById('messages');
  function code(text) { var m = /(?<![0-9])[0-9]{4,10}(?![0-9])/.exec(text); return m ? m[0] : null; }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function draw(messages) {
    var empty = document.getElementById('empty');
    if (empty) empty.hidden = messages.length > 0;
    var rows = messages.map(function (m) {
      var li = el('li', 'message'); li.setAttribute('data-id', m.id);
      var meta = el('div', 'meta');
      meta.append(el('span', 'to', 'To +' + m.to), ' ', el('span', 'from', 'from ' + m.from), ' ');
      var t = el('time', '', new Date(m.receivedAt).toLocaleString()); t.setAttribute('datetime', m.receivedAt); meta.append(t);
      li.append(meta);
      var c = code(m.text);
      if (c) { var p = el('p', 'code', c); p.setAttribute('aria-label', 'One-time code'); li.append(p); }
      li.append(el('p', 'text', m.text));
      return li;
    });
    list.replaceChildren.apply(list, rows);
    if (!empty && messages.length === 0) { var p = el('p', '', 'No messages yet.'); p.id = 'empty'; list.before(p); }
  }
  function refresh() {
    fetch(base + 'api/messages', { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) draw(body.messages); })
      .catch(function () {});
  }
  document.querySelector('form[action$="clear"]').addEventListener('submit', function (event) {
    event.preventDefault();
    fetch(base + 'api/messages', { method: 'DELETE' }).then(refresh);
  });
  refresh();
  setInterval(refresh, 2000);
})();
`;
