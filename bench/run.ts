/**
 * `npm run bench`: measures Stepgate on this machine and writes docs/benchmarks.md with the machine and the date.
 * The server runs in a process of its own, so its CPU time per login can be read apart from the load generator's.
 * The figures to compare are ratios measured in the same run (machines here are shared and noisy): server CPU per
 * login against the CPU of one argon2id verification, logins per second against raw verifications per second.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as oidc from 'openid-client';
import { createPasswordHasher } from '../src/identity/passwords.js';
import { startMockSms } from '../test/sms-otp/support/mock-sms.js';
import { Browser } from '../test/support/browser.js';
import { relyingParty } from '../test/support/rp.js';
import { passwordLogin, smsLogin } from './flows.js';
import { alternate, CONCURRENCY, fmtCpu, forDuration, nonHash, rssMiB, startBenchServer } from './measure.js';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 8) * 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** docs/benchmarks.md below this line is not rewritten by a run */
const KEPT_MARKER = '<!-- below: kept by npm run bench -->';
const WARMUP_MS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3) * 1000;
const RSS_LOGINS = Number(process.env.BENCH_RSS_LOGINS ?? 2000);

async function main(): Promise<void> {
  const built = spawnSync(
    process.execPath,
    [join(import.meta.dirname, '..', 'scripts', 'build-server.mjs'), '--if-stale'],
    {
      stdio: 'inherit',
    },
  );
  if (built.status !== 0) throw new Error('the server build failed');
  const rows: string[] = [];
  const add = (what: string, value: string, note = '') => {
    rows.push(`| ${what} | ${value} | ${note} |`);
    console.log(`${what}: ${value} ${note}`);
  };
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ');
  const loadBefore = load();

  // the anchor: raw argon2id at the OWASP parameters, as many in flight as the login load has
  const hasher = createPasswordHasher({ memoryKiB: 19456, iterations: 2, parallelism: 1 });
  const stored = await hasher.hash('benchmark password 1');
  const cpuBefore = process.cpuUsage();
  const raw = await forDuration(CONCURRENCY, DURATION_MS / 2, async () => {
    await hasher.verify(stored, 'benchmark password 1');
  });
  const cpu = process.cpuUsage(cpuBefore);
  const verifyCpuMs = (cpu.user + cpu.system) / 1000 / raw.ops;
  add(
    'argon2id verify (m=19456, t=2, p=1), raw',
    `${raw.perSecond.toFixed(1)} /s`,
    `${verifyCpuMs.toFixed(1)} ms CPU each`,
  );

  const floor = await startBenchServer('floor');
  // the SMS provider imitation (Vonage's API) lives in the load generator, as a real provider lives elsewhere
  const sms = await startMockSms();
  // a Stepgate server that fails to start must not leave the floor and the imitation running
  const { info, stop } = await startBenchServer('server', [sms.origin]).catch(async (e: unknown) => {
    await floor.stop();
    await sms.close();
    throw e;
  });
  try {
    const floorRp = await relyingParty(
      floor.info.url,
      floor.info.passwordApp.clientId,
      floor.info.passwordApp.clientSecret,
      floor.info.redirect,
    );
    const pwdRp = await relyingParty(info.url, info.passwordApp.clientId, info.passwordApp.clientSecret, info.redirect);
    await passwordLogin(floorRp, floor.info, 'user0');
    await passwordLogin(pwdRp, info, 'user0');
    const rssIdle = rssMiB(info.pid);
    // both servers warm up (V8 compiles the hot path, caches fill) before anything is measured: the ratios are of
    // a node in service, not of its first seconds
    for (const [rp, target] of [
      [floorRp, floor.info],
      [pwdRp, info],
    ] as const)
      await forDuration(CONCURRENCY, WARMUP_MS, (w) =>
        passwordLogin(rp, target, target.accounts[w]!.username).then(() => undefined),
      );

    const [floorLogins, logins] = await alternate(ROUNDS, DURATION_MS / ROUNDS, [
      {
        pid: floor.info.pid,
        concurrency: CONCURRENCY,
        run: (w) => passwordLogin(floorRp, floor.info, floor.info.accounts[w]!.username).then(() => undefined),
      },
      {
        pid: info.pid,
        concurrency: CONCURRENCY,
        run: (w) => passwordLogin(pwdRp, info, info.accounts[w]!.username).then(() => undefined),
      },
    ]);
    add(
      'floor: password logins (bare oidc-provider, memory adapter, one page)',
      `${floorLogins!.perSecond.toFixed(1)} /s`,
      `${floorLogins!.errors} errors; CPU each ${fmtCpu(floorLogins!.cpu)}`,
    );
    add(
      'Stepgate: password logins, end to end (code flow + token exchange)',
      `${logins!.perSecond.toFixed(1)} /s`,
      `${logins!.errors} errors; CPU each ${fmtCpu(logins!.cpu)}`,
    );
    add(
      '**CPU per password login ÷ floor**',
      `**${(logins!.cpu.total / floorLogins!.cpu.total).toFixed(2)}**`,
      'target ≤ 1.10',
    );
    add(
      '**non-hash CPU per password login ÷ floor**',
      `**${(nonHash(logins!.cpu) / nonHash(floorLogins!.cpu)).toFixed(2)}**`,
      `target ≤ 1.5 (non-hash = all threads but libuv's pool: ${nonHash(logins!.cpu).toFixed(1)} against ${nonHash(floorLogins!.cpu).toFixed(1)} ms)`,
    );
    add(
      'server CPU per password login ÷ CPU of one argon2id verification',
      `${(logins!.cpu.total / verifyCpuMs).toFixed(2)}`,
      '1.0 would mean the protocol costs nothing beyond the hash',
    );
    add(
      'password logins ÷ raw argon2id verifications',
      `${(logins!.perSecond / raw.perSecond).toFixed(2)}`,
      'same machine, same run; the load generator shares the 2 cores',
    );

    // enumeration: an unknown user must cost what a wrong password costs (a dummy argon2id verification)
    const wrongAnswer = async (username: string) => {
      const b = new Browser();
      const page = await b.go(pwdRp.begin().url);
      const form = Browser.form(page);
      const t = performance.now();
      const res = await b.request(form.action, {
        method: 'POST',
        body: new URLSearchParams({ ...form.fields, username, password: 'not the password' }),
      });
      if (res.status !== 401) throw new Error(`expected 401, got ${res.status}`);
      return performance.now() - t;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 40; i++) {
      // interleaved so that machine noise hits both alike; 20 spare accounts (two tries each) stay below the lockout
      known.push(await wrongAnswer(info.accounts[CONCURRENCY + (i % 20)]!.username));
      unknown.push(await wrongAnswer(`ghost-${i}`));
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    add(
      '**unknown user ÷ wrong password latency**',
      `**${(median(unknown) / median(known)).toFixed(2)}**`,
      `target 0.9–1.1, no user enumeration by timing (medians ${median(unknown).toFixed(1)} / ${median(known).toFixed(1)} ms of 40 interleaved tries)`,
    );

    // refresh-token grants: the token endpoint without password hashing, one client, sequential
    let floorRefresh = (await passwordLogin(floorRp, floor.info, 'user0')).refresh_token!;
    let refresh = (await passwordLogin(pwdRp, info, 'user0')).refresh_token!;
    const [floorRefreshes, refreshes] = await alternate(ROUNDS, DURATION_MS / 2 / ROUNDS, [
      {
        pid: floor.info.pid,
        concurrency: 1,
        run: async () => {
          const t = await oidc.refreshTokenGrant(floorRp.config, floorRefresh);
          floorRefresh = t.refresh_token ?? floorRefresh;
        },
      },
      {
        pid: info.pid,
        concurrency: 1,
        run: async () => {
          const t = await oidc.refreshTokenGrant(pwdRp.config, refresh);
          refresh = t.refresh_token ?? refresh;
        },
      },
    ]);
    add(
      'refresh-token grants: floor / Stepgate',
      `${floorRefreshes!.perSecond.toFixed(0)} / ${refreshes!.perSecond.toFixed(0)} /s`,
      `CPU each ${floorRefreshes!.cpu.total.toFixed(2)} / ${refreshes!.cpu.total.toFixed(2)} ms`,
    );
    add(
      '**CPU per refresh grant ÷ floor**',
      `**${(refreshes!.cpu.total / floorRefreshes!.cpu.total).toFixed(2)}**`,
      'target ≤ 1.20',
    );

    // password + SMS OTP through the Vonage preset and the dev inbox (a real HTTP round trip per SMS)
    const smsRp = await relyingParty(info.url, info.smsApp!.clientId, info.smsApp!.clientSecret, info.redirect);
    await smsLogin(sms, smsRp, info, info.accounts[0]!);
    const [pwdAgain, twoStep] = await alternate(ROUNDS, DURATION_MS / ROUNDS, [
      {
        pid: info.pid,
        concurrency: CONCURRENCY,
        run: (w) => passwordLogin(pwdRp, info, info.accounts[w]!.username).then(() => undefined),
      },
      { pid: info.pid, concurrency: CONCURRENCY, run: (w) => smsLogin(sms, smsRp, info, info.accounts[w]!) },
    ]);
    add(
      'Stepgate: password + SMS OTP logins, end to end',
      `${twoStep!.perSecond.toFixed(1)} /s`,
      `${twoStep!.errors} errors; CPU each ${fmtCpu(twoStep!.cpu)}, the SMS send to a provider imitation in the load generator included`,
    );
    add(
      '**CPU per two-step login ÷ CPU per password login**',
      `**${(twoStep!.cpu.total / pwdAgain!.cpu.total).toFixed(2)}**`,
      `target ≤ 1.10 (password logins measured alternately with these: ${pwdAgain!.cpu.total.toFixed(1)} ms)`,
    );

    // memory: RSS idle (after one login), then after each half of RSS_LOGINS more password logins: a server that
    // does not grow reads about the same after the second half as after the first
    const rssAfter: number[] = [];
    for (const half of [1, 2]) {
      let started = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, w) => {
          while (started++ < RSS_LOGINS / 2) await passwordLogin(pwdRp, info, info.accounts[w]!.username);
        }),
      );
      rssAfter[half - 1] = rssMiB(info.pid);
    }
    add(
      `**server RSS idle / after the runs and ${RSS_LOGINS} more logins**`,
      `**${rssIdle.toFixed(0)} / ${rssAfter[1]!.toFixed(0)} MiB**`,
      `target ≤ 110 / ≤ 140 MiB, no growth (after the first ${RSS_LOGINS / 2} of them: ${rssAfter[0]!.toFixed(0)} MiB); floor after its runs: ${rssMiB(floor.info.pid).toFixed(0)} MiB`,
    );

    const sqlite = new Database(join(info.dataDir!, 'stepgate.db'), { readonly: true });
    const size = sqlite
      .prepare("select avg(length(value)) as avg, count(*) as n from kv_state where key like 'login:%'")
      .get() as { avg: number; n: number };
    const oidcRows = sqlite
      .prepare("select avg(length(payload)) as avg from oidc_models where model = 'Session'")
      .get() as { avg: number };
    sqlite.close();
    add(
      'login transaction, stored',
      `${Math.round(size.avg)} bytes`,
      `average of ${size.n} after the runs; target ≤ 2 KB per active login`,
    );
    add('OIDC session, stored', `${Math.round(oidcRows.avg)} bytes`, 'oidc-provider Session payload');
  } finally {
    await stop();
    await floor.stop();
    await sms.close();
  }

  const md = `# Benchmarks

<!-- written by \`npm run bench\` (bench/run.ts); numbers from one run: compare the ratios -->

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'},
${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, embedded SQLite, ${CONCURRENCY} concurrent clients,
${DURATION_MS / 1000} s per measurement in ${ROUNDS} alternating slices after ${WARMUP_MS / 1000} s of warm-up. Load average (1 / 5 / 15 min) at the start
${loadBefore}, at the end ${load()}. Each server runs in a process of its own at the production log level; the
load generator (HTTP client, form parsing, openid-client) runs beside them on the same cores.

| measurement | result | note |
|---|---|---|
${rows.join('\n')}

How to read it. CPU is read per thread from \`/proc/<pid>/task/*/stat\` of each server process: the main
(JavaScript) thread, libuv's pool (where argon2id runs) and V8's helper threads (garbage collection, compilation).
The **floor** (\`bench/floor.ts\`) is the same oidc-provider 9.13.3 with its in-memory adapter, the same argon2id
parameters and one login page: what a password login costs with nothing of Stepgate around it. The ratios to it
are measured in the same run with the two servers loaded in alternating slices, so machine noise hits both alike;
absolute rates move between runs on this shared 2-core machine.

Run it yourself: \`npm run bench\` (\`BENCH_SECONDS\`, \`BENCH_CONCURRENCY\`, \`BENCH_ROUNDS\`, \`BENCH_WARMUP_SECONDS\`, \`BENCH_RSS_LOGINS\`;
\`BENCH_PROFILE=dir\` writes a CPU profile of the Stepgate server).
`;
  // what follows the marker (the statement counts, the profile) is written by hand and kept across runs
  const docs = new URL('../docs/benchmarks.md', import.meta.url);
  const previous = existsSync(docs) ? readFileSync(docs, 'utf8') : '';
  const kept = previous.indexOf(KEPT_MARKER);
  writeFileSync(docs, kept >= 0 ? `${md}\n${previous.slice(kept)}` : md);
  console.log('wrote docs/benchmarks.md');
}

// `npm run bench -- --soak` (or BENCH_MODE=soak): the soak of bench/soak.ts instead of the measurements above
const soakMode = process.argv.includes('--soak') || process.env.BENCH_MODE === 'soak';
(soakMode ? import('./soak.js').then((m) => m.soak()) : main()).then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
