import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { userDetails } from '../src/claims.js';
import type { LoggedInUser } from '../src/sessions.js';
import { renderHomePage } from '../src/views/home-page.js';

function user(claims: Record<string, unknown>, userinfo?: Record<string, unknown>): LoggedInUser {
  return {
    sub: String(claims.sub),
    idToken: 'h.p.s',
    idTokenHeader: { alg: 'RS256', kid: 'k1' },
    idTokenClaims: claims,
    userinfo,
  };
}

describe('User Details', () => {
  test('standard claims get friendly names in a fixed order; unknown claims keep their names, sorted', () => {
    const rows = userDetails(
      { sub: 's', iss: 'i', aud: 'a', nonce: 'n', amr: ['pwd'], acr: 'x', zeta: 'z', email: 'old@example.com' },
      { sub: 's', phone_number: '+94771234567', email: 'a@example.com', given_name: 'A', alpha: ['one', 'two'] },
    );
    assert.deepEqual(
      rows.map((r) => [r.displayName, r.value]),
      [
        ['First Name', 'A'],
        ['Email', 'a@example.com'],
        ['Mobile', '+94771234567'],
        ['alpha', 'one, two'],
        ['zeta', 'z'],
      ],
    );
  });

  test('an address object is shown as text', () => {
    const [row] = userDetails({ address: { street_address: '1 Main St', locality: 'Colombo', country: 'LK' } });
    assert.equal(row?.value, '1 Main St, Colombo, LK');
  });
});

describe('home page', () => {
  test('without user claims it asks to configure the claim configuration', () => {
    const page = renderHomePage(user({ sub: 'alice', iss: 'http://x', aud: 'c', amr: ['pwd'], acr: '1' }));
    assert.match(page, /No user details available\. Configure the application's claim configuration\./);
    assert.doesNotMatch(page, /<caption>User Details<\/caption>/);
  });

  test('claim values and the subject are escaped', () => {
    const page = renderHomePage(user({ sub: '<img src=x onerror=alert(1)>', given_name: '<script>x</script>' }));
    assert.ok(!page.includes('<img src=x'));
    assert.ok(!page.includes('<script>x'));
    assert.ok(page.includes('&lt;script&gt;x&lt;/script&gt;'));
    assert.ok(page.includes('<h3 class="subject-heading">&lt;img src=x onerror=alert(1)&gt;</h3>'));
  });

  test('shows the ID token header and payload pretty-printed, with amr and acr called out', () => {
    const page = renderHomePage(user({ sub: 'alice', amr: ['pwd', 'sms'], acr: 'urn:acr:2fa' }));
    assert.match(page, /<dd id="amr">pwd, sms<\/dd>/);
    assert.match(page, /<dd id="acr">urn:acr:2fa<\/dd>/);
    assert.ok(page.includes('{\n  &quot;alg&quot;: &quot;RS256&quot;,\n  &quot;kid&quot;: &quot;k1&quot;\n}'));
    assert.match(page, /<form method="post" action="\/logout">/);
  });
});
