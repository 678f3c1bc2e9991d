// The page after login (WSO2's home.jsp): profile with User Details, the decoded ID token, and a dummy booking screen.
import { userDetails } from '../claims.js';
import { html, type SafeHtml } from '../html.js';
import type { LoggedInUser } from '../sessions.js';
import { layout } from './layout.js';

export const DRIVERS = ['Tiger Nixon', 'Garrett Winters', 'Ashton Cox', 'Cedric Kelly'] as const;
export const VEHICLES = ['CAR-4021 (Sedan, 4 seats)', 'VAN-1187 (Van, 8 seats)', 'CAB-7730 (Cab, 4 seats)'] as const;
export const PASSENGERS = ['Airi Satou', 'Brielle Williamson', 'Herrod Chandler', 'Rhona Davidson'] as const;

export interface Booking {
  driver: string;
  vehicle: string;
  passenger: string;
}

function profilePanel(user: LoggedInUser): SafeHtml {
  const rows = userDetails(user.idTokenClaims, user.userinfo);
  return html`<section class="panel" aria-labelledby="profile-title">
  <h2 id="profile-title" class="panel-title">Profile</h2>
  <h3 class="subject-heading">${user.sub}</h3>
  ${
    rows.length === 0
      ? html`<p class="empty">No user details available. Configure the application's claim configuration.</p>`
      : html`<table class="details-table">
    <caption>User Details</caption>
    <thead><tr><th scope="col">Claim</th><th scope="col">Value</th></tr></thead>
    <tbody>${rows.map((row) => html`<tr><th scope="row" title="${row.claim}">${row.displayName}</th><td>${row.value}</td></tr>`)}</tbody>
  </table>`
  }
</section>`;
}

function listOf(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(', ');
  return value === undefined ? '(not present)' : String(value);
}

function idTokenPanel(user: LoggedInUser): SafeHtml {
  return html`<section class="panel" aria-labelledby="id-token-title">
  <h2 id="id-token-title" class="panel-title">ID Token</h2>
  <dl class="login-summary">
    <dt>Authentication methods (<code>amr</code>)</dt><dd id="amr">${listOf(user.idTokenClaims.amr)}</dd>
    <dt>Authentication context (<code>acr</code>)</dt><dd id="acr">${listOf(user.idTokenClaims.acr)}</dd>
  </dl>
  <h3>Header</h3>
  <pre class="code" tabindex="0" aria-label="ID token header">${JSON.stringify(user.idTokenHeader, null, 2)}</pre>
  <h3>Payload</h3>
  <pre class="code" tabindex="0" aria-label="ID token payload">${JSON.stringify(user.idTokenClaims, null, 2)}</pre>
</section>`;
}

function select(id: string, label: string, options: readonly string[]): SafeHtml {
  return html`<div class="field"><label for="${id}">${label}</label>
  <select id="${id}" name="${id}" required>${options.map((o) => html`<option>${o}</option>`)}</select></div>`;
}

function bookingPanel(booking: Booking | undefined): SafeHtml {
  return html`<section class="panel" aria-labelledby="booking-title">
  <h2 id="booking-title" class="panel-title">Book a Vehicle</h2>
  ${
    booking === undefined
      ? ''
      : html`<p class="notice" role="status">Booking noted for display only: ${booking.passenger} with ${booking.driver} in ${booking.vehicle}.</p>`
  }
  <form method="post" action="/book" class="booking-form">
    ${select('driver', 'Driver', DRIVERS)}
    ${select('vehicle', 'Vehicle', VEHICLES)}
    ${select('passenger', 'Passenger', PASSENGERS)}
    <div class="field"><label for="pickup-time">Pickup time</label><input id="pickup-time" name="pickupTime" type="datetime-local"></div>
    <button type="submit" class="button button-primary">Book</button>
  </form>
  <div class="columns">
    <div><h3>Drivers</h3><ul>${DRIVERS.map((d) => html`<li>${d}</li>`)}</ul></div>
    <div><h3>Vehicles</h3><ul>${VEHICLES.map((v) => html`<li>${v}</li>`)}</ul></div>
    <div><h3>Passengers</h3><ul>${PASSENGERS.map((p) => html`<li>${p}</li>`)}</ul></div>
  </div>
</section>`;
}

export function renderHomePage(user: LoggedInUser, booking?: Booking): string {
  return layout({
    title: 'Pickup Dispatch — Vehicle Booking',
    subject: user.sub,
    body: html`<h1 class="visually-hidden">Vehicle Booking</h1>
<div class="grid">
  <div>${profilePanel(user)}${idTokenPanel(user)}</div>
  <div>${bookingPanel(booking)}</div>
</div>`,
  });
}
