// The SAML sample's pages, in the frame of the OIDC Pickup Dispatch: a start page with the two bindings, and a
// home page that shows what the assertion said (NameID, attributes, authentication context).
import { html, type SafeHtml } from '../../pickup-dispatch/src/html.js';
import { layout } from '../../pickup-dispatch/src/views/layout.js';
import type { SamlUser } from './sessions.js';

export function renderStartPage(): string {
  return layout({
    title: 'Pickup Dispatch (SAML)',
    body: html`<section class="hero" aria-labelledby="hero-title">
  <h1 id="hero-title">PICKUP DISPATCH <span class="sub-title">SAML 2.0 Sample Application</span></h1>
  <p>Book vehicles for your passengers. Log in with your Stepgate account over SAML 2.0 to continue.</p>
  <form method="post" action="/login"><button type="submit" class="button button-primary">Login</button></form>
  <form method="post" action="/login?binding=post"><button type="submit" class="button button-light">Login (HTTP-POST binding)</button></form>
</section>`,
  });
}

/** Human words for the authentication context classes Stepgate issues (docs/saml.md). */
function describeContext(classRef: string | undefined): string {
  if (!classRef) return '(not stated)';
  if (/mfa|2fa|multi/i.test(classRef)) return `${classRef} — two factors`;
  if (/PasswordProtectedTransport|Password$/.test(classRef)) return `${classRef} — password only`;
  return classRef;
}

function detailsPanel(user: SamlUser): SafeHtml {
  return html`<section class="panel" aria-labelledby="profile-title">
  <h2 id="profile-title" class="panel-title">Profile</h2>
  <h3 class="subject-heading" id="name-id">${user.nameId}</h3>
  <dl class="login-summary">
    <dt>NameID format</dt><dd id="name-id-format">${user.nameIdFormat}</dd>
    <dt>Authentication context (<code>AuthnContextClassRef</code>)</dt><dd id="authn-context">${describeContext(user.authnContextClassRef)}</dd>
    <dt>Authenticated at</dt><dd id="authn-instant">${user.authnInstant ?? '(not stated)'}</dd>
    <dt>Session index</dt><dd id="session-index">${user.sessionIndex ?? '(none)'}</dd>
    <dt>Identity provider</dt><dd id="idp-issuer">${user.issuer}</dd>
  </dl>
  ${
    user.attributes.length === 0
      ? html`<p class="empty">No attributes. Enable the attribute profile and requested claims of this application in Stepgate.</p>`
      : html`<table class="details-table" id="attributes">
    <caption>Attributes</caption>
    <thead><tr><th scope="col">Attribute</th><th scope="col">Value</th></tr></thead>
    <tbody>${user.attributes.map((a) => html`<tr><th scope="row">${a.name}</th><td>${a.values.join(', ')}</td></tr>`)}</tbody>
  </table>`
  }
</section>`;
}

export function renderHomePage(user: SamlUser): string {
  return layout({ title: 'Pickup Dispatch (SAML) — Home', subject: user.nameId, body: detailsPanel(user) });
}

export function renderProblemPage(title: string, explanation: string): string {
  return layout({
    title: `Pickup Dispatch (SAML) — ${title}`,
    body: html`<section class="panel problem" aria-labelledby="problem-title">
  <h1 id="problem-title">${title}</h1>
  <p>${explanation}</p>
  <p><a class="button button-primary" href="/">Back to the start page</a></p>
</section>`,
  });
}
