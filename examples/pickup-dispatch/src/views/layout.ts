// The page frame shared by every Pickup Dispatch page: document head, dark navbar, main landmark, footer.
import { html, type SafeHtml } from '../html.js';

export const STYLESHEET_PATH = '/assets/pickup-dispatch.css';

export interface LayoutOptions {
  title: string;
  /** The logged-in subject; when present the navbar shows it with a Logout button. */
  subject?: string;
  body: SafeHtml;
}

export function layout({ title, subject, body }: LayoutOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="navbar">
  <a class="brand" href="/">PICKUP DISPATCH</a>
  <span class="tagline">Vehicle Booking Application</span>
  ${
    subject === undefined
      ? ''
      : html`<nav class="user" aria-label="Account">
    <span class="subject" title="Subject (sub)"><span class="visually-hidden">Logged in as </span>${subject}</span>
    <form method="post" action="/logout"><button type="submit" class="button button-light">Logout</button></form>
  </nav>`
  }
</header>
<main id="main">
${body}
</main>
<footer class="footer"><p>Sample application functionalities are added for display purposes only</p></footer>
</body>
</html>
`.value;
}
