/**
 * Soak mode of the bench (`npm run bench -- --soak`, or `BENCH_MODE=soak`): one Stepgate server under a steady mix
 * for BENCH_SOAK_SECONDS (default 180) at a fixed concurrency: password logins, refresh grants and admin API reads
 * (GET /applications and /users with a client-credentials token). It reports per minute and overall the requests,
 * the error rate and p50 / p95 / p99 per kind, and the server's RSS and heap used every 10 s, and writes them to
 * the "Soak" section of docs/benchmarks.md (in the hand-kept part below the marker, which `npm run bench` keeps).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as oidc from 'openid-client';
import { relyingParty } from '../test/support/rp.js';
import { passwordLogin } from './flows.js';
import { CONCURRENCY, rssMiB, startBenchServer } from './measure.js';

const SOAK_MS = Number(process.env.BENCH_SOAK_SECONDS ?? 180) * 1000;
const SAMPLE_MS = 10_000;
const KEPT_MARKER = '<!-- below: kept by npm run bench -->';
const SECTION = '## Soak';
/** the admin API allows 300 requests a minute from one address; the soak reads at most this many a second */
const ADMIN_READS_PER_SECOND = 4;

type Kind = 'password login' | 'refresh grant' | 'admin read';
const KINDS: Kind[] = ['password login', 'refresh grant', 'admin read'];

interface Sample {
  at: number;
  rss: number;
  heapUsed: number;
}

interface Done {
  kind: Kind;
  /** ms since the soak's start, when the request finished */
  at: number;
  ms: number;
  ok: boolean;
}

const quantile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

function summary(done: Done[]): string[] {
  return KINDS.map((kind) => {
    const of = done.filter((d) => d.kind === kind);
    const ok = of
      .filter((d) => d.ok)
      .map((d) => d.ms)
      .sort((a, b) => a - b);
    const errors = of.length - ok.length;
    const rate = of.length ? (100 * errors) / of.length : 0;
    return `${kind}: ${of.length} (${errors} errors, ${rate.toFixed(2)} %), p50 / p95 / p99 ${quantile(ok, 0.5).toFixed(1)} / ${quantile(ok, 0.95).toFixed(1)} / ${quantile(ok, 0.99).toFixed(1)} ms`;
  });
}

export async function soak(): Promise<void> {
  process.env.BENCH_MODE = 'soak'; // read by bench/server.ts: the automation application and the memory lines
  const built = spawnSync(
    process.execPath,
    [join(import.meta.dirname, '..', 'scripts', 'build-server.mjs'), '--if-stale'],
    { stdio: 'inherit' },
  );
  if (built.status !== 0) throw new Error('the server build failed');
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ');
  const loadBefore = load();

  let memoryWaiter: ((m: { rss: number; heapUsed: number }) => void) | undefined;
  const { info, stop } = await startBenchServer('server', [], {
    onLine: (line) => {
      if (!line.startsWith('{"memory"')) return;
      memoryWaiter?.((JSON.parse(line) as { memory: { rss: number; heapUsed: number } }).memory);
      memoryWaiter = undefined;
    },
  });
  const memory = () =>
    new Promise<{ rss: number; heapUsed: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server did not report its memory')), 5000);
      memoryWaiter = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
      process.kill(info.pid, 'SIGUSR2');
    });

  const done: Done[] = [];
  const samples: Sample[] = [];
  let start = 0;
  try {
    const rp = await relyingParty(info.url, info.passwordApp.clientId, info.passwordApp.clientSecret, info.redirect);
    const admin = info.adminApp;
    if (!admin) throw new Error('the bench server gave no automation application (BENCH_MODE=soak not seen)');
    const adminToken = async () => {
      const r = await fetch(`${info.url}/oidc/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${admin.clientId}:${admin.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `grant_type=client_credentials&scope=${encodeURIComponent(admin.scope)}`,
      });
      if (r.status !== 200) throw new Error(`client credentials: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { access_token: string }).access_token;
    };

    // the mix, by worker: a quarter of the workers refresh, one reads the admin API (paced below its rate limit),
    // the rest log in with a password; each worker keeps its own account and refresh token
    const refreshers = Math.max(1, Math.floor(CONCURRENCY / 4));
    const kindOf = (w: number): Kind => (w === 0 ? 'admin read' : w <= refreshers ? 'refresh grant' : 'password login');
    const refresh: string[] = [];
    for (let w = 1; w <= refreshers; w++)
      refresh[w] = (await passwordLogin(rp, info, info.accounts[w]!.username)).refresh_token!;
    let token = await adminToken();
    let tokenAt = performance.now();
    let reads = 0;

    const operations: Record<Kind, (w: number) => Promise<void>> = {
      'password login': async (w) => {
        await passwordLogin(rp, info, info.accounts[w]!.username);
      },
      'refresh grant': async (w) => {
        const t = await oidc.refreshTokenGrant(rp.config, refresh[w]!);
        refresh[w] = t.refresh_token ?? refresh[w]!;
      },
      'admin read': async () => {
        // a new token every five minutes, well inside its lifetime
        if (performance.now() - tokenAt > 300_000) {
          token = await adminToken();
          tokenAt = performance.now();
        }
        const path = reads++ % 2 ? '/api/admin/v1/users' : '/api/admin/v1/applications';
        const r = await fetch(`${info.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        const body = await r.text();
        if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${body.slice(0, 200)}`);
      },
    };

    // a short warm-up so that the first minute is of a node in service (the admin reader waits: its pace counts
    // from the start)
    const warmEnd = performance.now() + 5000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        while (w > 0 && performance.now() < warmEnd) await operations[kindOf(w)](w).catch(() => undefined);
      }),
    );

    start = performance.now();
    const end = start + SOAK_MS;
    let printed = 0;
    const sampler = (async () => {
      for (let n = 0; ; n++) {
        const at = n * SAMPLE_MS;
        const wait = start + at - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (at > SOAK_MS) break;
        const m = await memory();
        samples.push({ at: at / 1000, rss: rssMiB(info.pid), heapUsed: m.heapUsed / 2 ** 20 });
        const ok = done.length - printed;
        printed = done.length;
        console.log(
          `${at / 1000} s: RSS ${samples.at(-1)!.rss.toFixed(1)} MiB, heap used ${samples.at(-1)!.heapUsed.toFixed(1)} MiB, ${ok} requests since the last sample`,
        );
      }
    })();
    let logged = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        const kind = kindOf(w);
        while (performance.now() < end) {
          if (kind === 'admin read') {
            // paced: the next read no earlier than its slot
            const slot = start + (reads * 1000) / ADMIN_READS_PER_SECOND - performance.now();
            if (slot > 0) await new Promise((r) => setTimeout(r, slot));
            if (performance.now() >= end) break;
          }
          const t = performance.now();
          let ok = true;
          try {
            await operations[kind](w);
          } catch (e) {
            ok = false;
            if (logged++ < 5) console.error(kind, e);
          }
          const now = performance.now();
          done.push({ kind, at: now - start, ms: now - t, ok });
        }
      }),
    );
    await sampler;
  } finally {
    await stop();
  }

  // the report: per minute and overall
  const minutes = Math.ceil(SOAK_MS / 60_000);
  const lines: string[] = [];
  for (let m = 0; m < minutes; m++) {
    const of = done.filter((d) => d.at >= m * 60_000 && d.at < (m + 1) * 60_000);
    lines.push(`| minute ${m + 1} | ${of.length} | ${summary(of).join('<br>')} |`);
  }
  lines.push(`| **overall** | **${done.length}** | ${summary(done).join('<br>')} |`);
  const errors = done.filter((d) => !d.ok).length;
  const second = samples.find((s) => s.at >= 60) ?? samples[0]!;
  const last = samples.at(-1)!;
  const memoryRows = samples.map((s) => `| ${s.at} s | ${s.rss.toFixed(1)} | ${s.heapUsed.toFixed(1)} |`);
  for (const l of lines) console.log(l);
  console.log(
    `memory from ${second.at} s to ${last.at} s: RSS ${(last.rss - second.rss).toFixed(1)} MiB, heap used ${(last.heapUsed - second.heapUsed).toFixed(1)} MiB`,
  );

  const section = `${SECTION}

<!-- written by \`npm run bench -- --soak\` (bench/soak.ts); the rest of this file is kept -->

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'},
${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, embedded SQLite: one Stepgate server for ${SOAK_MS / 1000} s
after 5 s of warm-up, ${CONCURRENCY} workers at once, each doing one kind of request back to back:
${CONCURRENCY - 1 - Math.max(1, Math.floor(CONCURRENCY / 4))} password logins (code flow and token exchange, argon2id each),
${Math.max(1, Math.floor(CONCURRENCY / 4))} refresh grants (rotating its refresh token), 1 admin API reader
(GET /applications and /users in turn with a client-credentials token, paced at ${ADMIN_READS_PER_SECOND} /s under the API's
300 a minute). Load average (1 / 5 / 15 min) at the start ${loadBefore}, at the end ${load()}; the load
generator shares the 2 cores. Latencies are of successful requests; an error is any request that failed.

| period | requests | per kind: count (errors, error rate), latency p50 / p95 / p99 |
|---|---|---|
${lines.join('\n')}

**Errors: ${errors} of ${done.length} (${((100 * errors) / Math.max(1, done.length)).toFixed(2)} %).** Server memory every
10 s (RSS from \`/proc\`, heap used from the server's own \`process.memoryUsage()\`): from ${second.at} s (the start of
the second minute) to the end, RSS ${(last.rss - second.rss >= 0 ? '+' : '') + (last.rss - second.rss).toFixed(1)} MiB and heap used
${(last.heapUsed - second.heapUsed >= 0 ? '+' : '') + (last.heapUsed - second.heapUsed).toFixed(1)} MiB.

| at | RSS MiB | heap used MiB |
|---|---|---|
${memoryRows.join('\n')}

RSS swings by tens of MiB between samples: each argon2id verification in flight holds its own 19 MiB buffer,
freed when it ends, so RSS depends on how many hashes run at the sampling instant; heap used (the JavaScript
objects) is the figure that would show a leak.

Run it yourself: \`npm run bench -- --soak\` (\`BENCH_SOAK_SECONDS\`, \`BENCH_CONCURRENCY\`).
`;
  const docs = new URL('../docs/benchmarks.md', import.meta.url);
  const previous = existsSync(docs) ? readFileSync(docs, 'utf8') : '';
  writeFileSync(docs, withSection(previous, section));
  console.log('wrote the Soak section of docs/benchmarks.md');
}

/** Puts the section in the kept part: replacing an earlier Soak section up to the next heading of its level. */
export function withSection(previous: string, section: string): string {
  const marker = previous.indexOf(KEPT_MARKER);
  const base = marker >= 0 ? previous : `${previous.trimEnd()}\n\n${KEPT_MARKER}\n`;
  const at = base.indexOf(`\n${SECTION}\n`, base.indexOf(KEPT_MARKER));
  if (at < 0) return `${base.trimEnd()}\n\n${section}`;
  const next = base.indexOf('\n## ', at + 1);
  return `${base.slice(0, at + 1)}${section}${next >= 0 ? `\n${base.slice(next + 1)}` : ''}`;
}
