/**
 * `node --import tsx bench/statements.ts`: counts the SQL statements one login runs, by kind of login, table and the
 * Stepgate function that asked for them. Runs a Stepgate node in this process (counting, not timing) and wraps
 * better-sqlite3's statements, under Kysely and every repository, so nothing escapes the count.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import * as oidc from 'openid-client';
import { loadConfig } from '../src/config/load.js';
import { startServer } from '../src/main.js';
import { startMockSms } from '../test/sms-otp/support/mock-sms.js';
import { relyingParty } from '../test/support/rp.js';
import { freePort } from '../test/support/server.js';
import { passwordLogin, smsLogin } from './flows.js';
import { BENCH_PASSWORD, BENCH_REDIRECT, setUpBench } from './setup.js';

const ROOT = join(import.meta.dirname, '..');
const counts = new Map<string, number>();
let counting = false;

/** `select oidc_models` from the SQL text; `begin`, `commit` as they are. */
function kindOf(text: string): string {
  const sqlText = text.replace(/\s+/g, ' ').trim().toLowerCase();
  const verb = sqlText.split(' ')[0] ?? '?';
  const table =
    /(?:from|into|update)\s+"?([a-z_]+)"?/.exec(sqlText)?.[1] ??
    (verb === 'begin' || verb === 'commit' || verb === 'rollback' ? '' : '?');
  return `${verb} ${table}`.trim();
}

/**
 * The innermost Stepgate function (outside the store's plumbing) on the statement's (async) stack, and the first
 * function of another file that called it: `identity/users.ts getUserById ← authn/engine.ts load`.
 */
function callerOf(stack: string): string {
  const frames: { file: string; fn: string }[] = [];
  for (const line of stack.split('\n').slice(1)) {
    const m = /at (?:async )?([^\s(]+) \((?:file:\/\/)?([^:)]+):(\d+)/.exec(line.trim());
    if (!m) continue;
    const file = relative(ROOT, m[2]!);
    if (!file.startsWith('src/') || file.startsWith('src/store/')) continue;
    frames.push({ file: file.replace(/^src\//, ''), fn: m[1]!.replace(/^Object\./, '') });
  }
  const [first] = frames;
  if (!first) return 'oidc-provider / other';
  const by = frames.find((f) => f.file !== first.file);
  return `${first.file} ${first.fn}${by ? ` ← ${by.file} ${by.fn}` : ''}`;
}

function count(text: string, params: unknown): void {
  if (!counting) return;
  const stack = new Error().stack ?? '';
  // oidc-provider's models share one table: the model (the first parameter of every adapter statement) tells them apart
  const first = Array.isArray(params) ? params[0] : undefined;
  const model = text.includes('oidc_models') && typeof first === 'string' && /^[A-Z]/.test(first) ? ` (${first})` : '';
  const key = `${kindOf(text)}${model}\t${callerOf(stack)}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

// every Statement shares one prototype: wrap its execution methods once
const probe = new Database(':memory:');
const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
probe.close();
for (const method of ['run', 'get', 'all', 'iterate'] as const) {
  const original = proto[method] as (this: { source: string }, ...args: unknown[]) => unknown;
  proto[method] = function (this: { source: string }, ...args: unknown[]) {
    count(this.source, args[0]);
    return original.apply(this, args);
  };
}
Error.stackTraceLimit = 60;

const N = Number(process.env.BENCH_LOGINS ?? 20);
const port = await freePort();
const sms = await startMockSms();
const dataDir = mkdtempSync(join(tmpdir(), 'stepgate-statements-'));
const config = loadConfig({
  env: {},
  overrides: {
    port,
    publicUrl: `http://127.0.0.1:${port}`,
    dataDir,
    masterKey: Buffer.alloc(32, 5).toString('base64'),
    logLevel: 'warn',
    'loginRateLimit.postsPerMinute': 100_000,
  },
});
const server = await startServer(config);
const setup = await setUpBench(server.services, { users: 4, smsOrigin: sms.origin, publicUrl: config.publicUrl });
const target = { password: BENCH_PASSWORD, redirect: BENCH_REDIRECT };
const pwdRp = await relyingParty(
  config.publicUrl,
  setup.passwordApp.clientId,
  setup.passwordApp.clientSecret,
  target.redirect,
);
const smsRp = await relyingParty(config.publicUrl, setup.smsApp.clientId, setup.smsApp.clientSecret, target.redirect);
// warm: the first login fills the configuration cache, as on a node that has served before
await passwordLogin(pwdRp, target, 'user0');
await smsLogin(sms, smsRp, target, setup.accounts[0]!);

async function measure(title: string, run: () => Promise<void>): Promise<void> {
  counts.clear();
  counting = true;
  for (let i = 0; i < N; i++) await run();
  counting = false;
  const rows = [...counts].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  console.log(`\n## ${title}: ${(total / N).toFixed(1)} statements each (${N} runs)\n`);
  console.log('| statements each | kind | asked for by |\n|---:|---|---|');
  for (const [key, n] of rows) {
    const [kind, caller] = key.split('\t');
    console.log(`| ${(n / N).toFixed(2).replace(/\.00$/, '')} | ${kind} | ${caller} |`);
  }
}

try {
  await measure('password login (authorize → page → password → code → token)', async () => {
    await passwordLogin(pwdRp, target, 'user1');
  });
  let refresh = (await passwordLogin(pwdRp, target, 'user2')).refresh_token!;
  await measure('refresh-token grant', async () => {
    refresh = (await oidc.refreshTokenGrant(pwdRp.config, refresh)).refresh_token ?? refresh;
  });
  await measure('password + SMS OTP login', async () => {
    await smsLogin(sms, smsRp, target, setup.accounts[3]!);
  });
} finally {
  await server.stop();
  await sms.close();
}
