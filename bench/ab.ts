/**
 * `node --import tsx bench/ab.ts <dist A> <dist B>`: two builds of Stepgate (their dist/ folders: say the tree before
 * a change, built in a clone, and this one) under the same load, in alternating slices, so that the noise of a shared
 * machine hits both alike. Prints CPU per password login and per refresh grant by kind of thread, and RSS, with B ÷ A.
 * `BENCH_SECONDS` (per measure, split over `BENCH_ROUNDS` slices each), `BENCH_CONCURRENCY`, `BENCH_WARMUP_SECONDS`.
 */
import { resolve } from 'node:path';
import * as oidc from 'openid-client';
import { relyingParty } from '../test/support/rp.js';
import { passwordLogin } from './flows.js';
import { alternate, CONCURRENCY, forDuration, nonHash, rssMiB, startBenchServer, type ThreadCpu } from './measure.js';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 16) * 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_SECONDS ?? 4) * 1000;

const dists = process.argv.slice(2, 4).map((d) => resolve(d));
if (dists.length !== 2) throw new Error('usage: bench/ab.ts <dist A> <dist B>');

const servers = [];
// AB_FLAGS_A / AB_FLAGS_B: node flags for one side only (the same build twice, say, with two heap settings)
const flagsOf = (side: string) => (process.env[`AB_FLAGS_${side}`] ?? '').split(' ').filter(Boolean);
for (const [i, dist] of dists.entries())
  servers.push(
    await startBenchServer('server', [], { dist, profile: undefined, nodeFlags: flagsOf(i === 0 ? 'A' : 'B') }),
  );
try {
  const targets = await Promise.all(
    servers.map(async ({ info }) => {
      const rp = await relyingParty(info.url, info.passwordApp.clientId, info.passwordApp.clientSecret, info.redirect);
      await passwordLogin(rp, info, 'user0');
      return { info, rp, rssIdle: rssMiB(info.pid) };
    }),
  );
  for (const t of targets)
    await forDuration(CONCURRENCY, WARMUP_MS, (w) =>
      passwordLogin(t.rp, t.info, t.info.accounts[w]!.username).then(() => undefined),
    );
  const logins = await alternate(
    ROUNDS,
    DURATION_MS / ROUNDS,
    targets.map((t) => ({
      pid: t.info.pid,
      concurrency: CONCURRENCY,
      run: (w: number) => passwordLogin(t.rp, t.info, t.info.accounts[w]!.username).then(() => undefined),
    })),
  );
  const refreshTokens = await Promise.all(
    targets.map(async (t) => (await passwordLogin(t.rp, t.info, 'user0')).refresh_token!),
  );
  const refreshes = await alternate(
    ROUNDS,
    DURATION_MS / 2 / ROUNDS,
    targets.map((t, i) => ({
      pid: t.info.pid,
      concurrency: 1,
      run: async () => {
        const tokens = await oidc.refreshTokenGrant(t.rp.config, refreshTokens[i]!);
        refreshTokens[i] = tokens.refresh_token ?? refreshTokens[i]!;
      },
    })),
  );
  const [a, b] = [0, 1];
  const row = (what: string, x: number, y: number, digits = 2) =>
    console.log(`| ${what} | ${x.toFixed(digits)} | ${y.toFixed(digits)} | ${(y / x).toFixed(2)} |`);
  const cpuRows = (kind: string, r: { cpu: ThreadCpu }[]) => {
    row(`${kind}: CPU ms, all threads`, r[a]!.cpu.total, r[b]!.cpu.total);
    row(`${kind}: CPU ms, main thread`, r[a]!.cpu.main, r[b]!.cpu.main);
    row(`${kind}: CPU ms, non-hash (all but libuv's pool)`, nonHash(r[a]!.cpu), nonHash(r[b]!.cpu));
    row(`${kind}: CPU ms, V8 helpers and other`, r[a]!.cpu.other, r[b]!.cpu.other);
  };
  console.log(`A = ${dists[a]}\nB = ${dists[b]}\n`);
  console.log('| measure | A | B | B ÷ A |\n|---|---:|---:|---:|');
  row('password logins per second', logins[a]!.perSecond, logins[b]!.perSecond, 1);
  cpuRows('password login', logins);
  cpuRows('refresh grant', refreshes);
  row('RSS MiB idle (after one login)', targets[a]!.rssIdle, targets[b]!.rssIdle, 0);
  row('RSS MiB after the runs', rssMiB(targets[a]!.info.pid), rssMiB(targets[b]!.info.pid), 0);
  const errors = [...logins, ...refreshes].reduce((n, r) => n + r.errors, 0);
  console.log(`\nerrors: ${errors}`);
} finally {
  for (const s of servers) await s.stop();
}
