/**
 * The benchmark's server: one Stepgate node in a process of its own (so its CPU time can be read apart from the
 * load generator's), set up by bench/setup.ts. Prints one JSON line with what the load generator needs, then serves
 * until killed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { startServer } from '../src/main.js';
import { BENCH_PASSWORD, BENCH_REDIRECT, setUpBench } from './setup.js';

const port = Number(process.argv[2]);
const users = Number(process.argv[3] ?? 32);
const smsOrigin = process.argv[4];

const dataDir = mkdtempSync(join(tmpdir(), 'stepgate-bench-'));
const config = loadConfig({
  env: {},
  overrides: {
    port,
    dataDir,
    masterKey: Buffer.alloc(32, 5).toString('base64'),
    'devSms.enabled': !smsOrigin,
    // the load comes from one address: the per-IP login throttle would measure itself, not Stepgate
    'loginRateLimit.postsPerMinute': 100_000,
  },
});
const server = await startServer(config);
const setup = await setUpBench(server.services, { users, smsOrigin, publicUrl: config.publicUrl });
console.log(
  JSON.stringify({
    url: config.publicUrl,
    pid: process.pid,
    dataDir,
    password: BENCH_PASSWORD,
    redirect: BENCH_REDIRECT,
    ...setup,
  }),
);

process.on('SIGINT', () => {
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
