// The start page (WSO2's index.jsp): the application's name and a Login button.
import { html } from '../html.js';
import { layout } from './layout.js';

export function renderStartPage(): string {
  return layout({
    title: 'Pickup Dispatch',
    body: html`<section class="hero" aria-labelledby="hero-title">
  <h1 id="hero-title">PICKUP DISPATCH <span class="sub-title">Sample Application</span></h1>
  <p>Book vehicles for your passengers. Log in with your Stepgate account to continue.</p>
  <form method="post" action="/login"><button type="submit" class="button button-primary">Login</button></form>
</section>`,
  });
}
