/** The password + SMS OTP login for the benchmark: a loopback mock provider and one user per concurrent client. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClaimUri } from '../src/identity/claim-uris.js';
import { createUser } from '../src/identity/users.js';
import { Browser } from '../test/support/browser.js';
import { type RelyingParty, relyingParty } from '../test/support/rp.js';
import type { TestServer } from '../test/support/server.js';

const REDIRECT = 'http://127.0.0.1:1/sms-callback';
const PASSWORD = 'benchmark password 1';

export interface SmsBench {
  rp: RelyingParty;
  lastCode: Map<string, string>;
  free: string[];
  stop(): Promise<void>;
}

export async function startSmsBench(server: TestServer, users = 32): Promise<SmsBench | undefined> {
  const s = server.services;
  if (!s.registry.get('sms-otp')) return undefined;
  const lastCode = new Map<string, string>();
  const mock: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const msg = JSON.parse(body) as { to: string; text: string };
      lastCode.set(msg.to, /(\d{6})/.exec(msg.text)?.[1] ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"m1"}');
    });
  });
  await new Promise<void>((r) => mock.listen(0, '127.0.0.1', r));
  const port = (mock.address() as AddressInfo).port;
  await s.identityProviders.create({
    name: 'smsOTP',
    authenticators: [
      {
        type: 'sms-otp',
        enabled: true,
        config: {
          gateway: {
            url: `http://127.0.0.1:${port}/send`,
            method: 'POST',
            headers: 'Content-Type: application/json',
            payload: '{"to":"$ctx.num","text":"$ctx.msg"}',
          },
          limits: { perNumber: { max: 0 }, perAccount: { max: 0 }, perIp: { max: 0 }, globalPerHour: 0 },
          lockout: { enabled: false },
        },
      },
    ],
  });
  const app = await s.applications.create({
    name: 'Bench SMS',
    redirectUris: [REDIRECT],
    subjectClaimUri: ClaimUri.mobile,
    steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] }],
  });
  const free: string[] = [];
  for (let i = 0; i < users; i++) {
    const mobile = `+9477100${String(i).padStart(4, '0')}`;
    await createUser(s.db, s.hasher, {
      username: `sms${i}`,
      password: PASSWORD,
      claims: { [ClaimUri.mobile]: mobile },
    });
    free.push(`sms${i}|${mobile}`);
  }
  const rp = await relyingParty(server.url, app.application.clientId, app.clientSecret, REDIRECT);
  return { rp, lastCode, free, stop: () => new Promise((r) => mock.close(() => r())) };
}

export async function loginWithSms(bench: SmsBench): Promise<void> {
  const who = bench.free.pop();
  if (!who) throw new Error('more concurrent clients than bench users');
  try {
    const [username, mobile] = who.split('|') as [string, string];
    const b = new Browser();
    const started = bench.rp.begin();
    const page = await b.go(started.url);
    const otpPage = await b.submit(Browser.form(page), { username, password: PASSWORD });
    const code = bench.lastCode.get(mobile);
    if (!code) throw new Error(`no SMS for ${mobile} (page ${otpPage.status})`);
    const done = await b.submit(Browser.form(otpPage), { code }, (u) => u.startsWith(REDIRECT));
    if (!done.url.startsWith(REDIRECT)) throw new Error(`SMS login did not finish (status ${done.status})`);
    await bench.rp.finish(done.url, started);
  } finally {
    bench.free.push(who);
  }
}
