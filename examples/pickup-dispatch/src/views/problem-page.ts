// The page for a failed or cancelled login: what happened, in plain words, and the ways back.
import { html } from '../html.js';
import type { ProblemPage } from '../problems.js';
import { layout } from './layout.js';

export function renderProblemPage(page: ProblemPage): string {
  return layout({
    title: `${page.title} — Pickup Dispatch`,
    body: html`<section class="panel problem" role="alert" aria-labelledby="problem-title">
  <h1 id="problem-title">${page.title}</h1>
  <p>${page.explanation}</p>
  ${
    page.details.length === 0
      ? ''
      : html`<dl class="details">${page.details.map(([label, value]) => html`<dt>${label}</dt><dd><code>${value}</code></dd>`)}</dl>`
  }
  <p class="actions"><a class="button button-primary" href="/login">Try again</a> <a class="button" href="/">Back to the start page</a></p>
</section>`,
  });
}

/** For anything unexpected: a plain page that never shows internals (they go to the log). */
export function renderUnexpectedErrorPage(): string {
  return renderProblemPage({
    status: 500,
    title: 'Something went wrong',
    explanation: 'The sample application could not handle this request. The details are in its log.',
    details: [],
  });
}

export function renderNotFoundPage(): string {
  return layout({
    title: 'Not found — Pickup Dispatch',
    body: html`<section class="panel problem" aria-labelledby="problem-title">
  <h1 id="problem-title">Page not found</h1>
  <p class="actions"><a class="button" href="/">Back to the start page</a></p>
</section>`,
  });
}
