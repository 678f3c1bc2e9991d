/**
 * What the benchmarks measure with: CPU per kind of thread of a server process, RSS, timed runs of concurrent workers,
 * alternating slices on several servers, and the bench servers themselves (compiled, each in a process of its own).
 * Used by run.ts (`npm run bench`) and ab.ts (two builds of Stepgate back to back).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { freePort } from '../test/support/server.js';

/** the default concurrency of the runs, and so the number of accounts a bench server creates (plus spare ones) */
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TICKS_PER_SECOND = 100; // Linux USER_HZ

export interface ServerInfo {
  url: string;
  pid: number;
  dataDir?: string;
  password: string;
  redirect: string;
  accounts: { username: string; mobile: string }[];
  passwordApp: { clientId: string; clientSecret: string };
  smsApp?: { clientId: string; clientSecret: string };
  /** given in soak mode only (bench/soak.ts) */
  adminApp?: { clientId: string; clientSecret: string; scope: string };
}

/** CPU milliseconds a process has used so far, per kind of thread (Linux `/proc/<pid>/task/<tid>/stat`). */
export interface ThreadCpu {
  /** the JavaScript thread: the protocol, the pages, SQL through better-sqlite3 */
  main: number;
  /** libuv's pool: argon2id (@node-rs/argon2 runs there) and asynchronous crypto / file work */
  pool: number;
  /** V8's helpers (garbage collection, compilation) and the rest */
  other: number;
  total: number;
}

export function threadCpu(pid: number): ThreadCpu {
  const out = { main: 0, pool: 0, other: 0, total: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
    if (tid === String(pid)) out.main += ms;
    else if (name.startsWith('libuv-worker')) out.pool += ms;
    else out.other += ms;
    out.total += ms;
  }
  return out;
}

export function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

export async function forDuration(concurrency: number, ms: number, fn: (worker: number) => Promise<void>) {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await fn(worker);
          latencies.push(performance.now() - t);
        } catch (e) {
          errors++;
          if (errors <= 3) console.error(e);
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { ops: latencies.length, perSecond: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), errors };
}

/** The V8 flags the `stepgate` command runs with (its shebang line), given to both servers alike. */
export const SERVER_NODE_FLAGS = (
  readFileSync(join(import.meta.dirname, '..', 'bin', 'stepgate.js'), 'utf8').split('\n')[0] ?? ''
)
  .split(' ')
  .filter((word) => word.startsWith('--'));

/** Starts a server (compiled, from dist/: servers never run through a TypeScript loader) in a process of its own. */
export async function startBenchServer(
  script: 'server' | 'floor',
  extraArgs: string[] = [],
  options: {
    users?: number;
    dist?: string;
    profile?: string | undefined;
    /** node flags after the production ones (bench/ab.ts: AB_FLAGS_A, AB_FLAGS_B), e.g. another semi-space size */
    nodeFlags?: string[];
    /** every later line the server writes to stdout (its logs, the soak's memory lines) */
    onLine?: (line: string) => void;
  } = {},
): Promise<{ info: ServerInfo; stop(): Promise<void> }> {
  const port = await freePort();
  const profile = 'profile' in options ? options.profile : process.env.BENCH_PROFILE;
  const child = spawn(
    process.execPath,
    [
      ...SERVER_NODE_FLAGS,
      ...(options.nodeFlags ?? []),
      // BENCH_PROFILE profiles Stepgate's server only (the floor's profile would land beside it unnamed); a caller
      // that names a folder itself profiles either
      ...(profile && (script === 'server' || 'profile' in options) ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      join(options.dist ?? join(import.meta.dirname, '..', 'dist'), 'bench', `${script}.js`),
      String(port),
      String(options.users ?? CONCURRENCY + 20),
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // the server logs at the production level to the same stdout: the first JSON line with a pid is the hand-over,
  // and the rest is read and dropped so that a full pipe never blocks the server
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (l.startsWith('{"url"')) resolve(l);
      else options.onLine?.(l);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    info: JSON.parse(line) as ServerInfo,
    stop: async () => {
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** Runs `fn` for `rounds` alternating slices on two targets, so machine noise hits both alike. */
export async function alternate(
  rounds: number,
  ms: number,
  targets: { pid: number; run: (worker: number) => Promise<void>; concurrency: number }[],
) {
  const sums = targets.map(() => ({ ops: 0, errors: 0, seconds: 0, latencies: [] as number[], cpu: zeroCpu() }));
  for (let r = 0; r < rounds; r++) {
    for (const [i, t] of targets.entries()) {
      const before = threadCpu(t.pid);
      const started = performance.now();
      const result = await forDuration(t.concurrency, ms, t.run);
      const after = threadCpu(t.pid);
      const sum = sums[i]!;
      sum.ops += result.ops;
      sum.errors += result.errors;
      sum.seconds += (performance.now() - started) / 1000;
      sum.latencies.push(result.p50);
      for (const k of ['main', 'pool', 'other', 'total'] as const) sum.cpu[k] += after[k] - before[k];
    }
  }
  return sums.map((s) => ({
    ops: s.ops,
    errors: s.errors,
    perSecond: s.ops / s.seconds,
    p50: [...s.latencies].sort((a, b) => a - b)[Math.floor(s.latencies.length / 2)] ?? 0,
    cpu: {
      main: s.cpu.main / Math.max(1, s.ops),
      pool: s.cpu.pool / Math.max(1, s.ops),
      other: s.cpu.other / Math.max(1, s.ops),
      total: s.cpu.total / Math.max(1, s.ops),
    },
  }));
}

export function zeroCpu(): ThreadCpu {
  return { main: 0, pool: 0, other: 0, total: 0 };
}

export const fmtCpu = (c: ThreadCpu) =>
  `${c.total.toFixed(1)} ms (main ${c.main.toFixed(1)}, pool ${c.pool.toFixed(1)}, V8 and other ${c.other.toFixed(1)})`;
export const nonHash = (c: ThreadCpu) => c.total - c.pool;
