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
import { ADMIN_SCOPE } from '../src/oidc/provider.js';
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
// the soak (bench/soak.ts) reads the admin API too, with a client-credentials token of an automation application,
// and asks for the process's own memory figures (heap used is not visible from outside) with SIGUSR2
const soak = process.env.BENCH_MODE === 'soak';
const adminApp = soak
  ? await server.services.applications.create({
      name: 'Bench automation',
      grantTypes: ['client_credentials'],
      extraScopes: [ADMIN_SCOPE],
    })
  : undefined;
if (soak)
  process.on('SIGUSR2', () => {
    const m = process.memoryUsage();
    console.log(JSON.stringify({ memory: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal } }));
  });
console.log(
  JSON.stringify({
    url: config.publicUrl,
    pid: process.pid,
    dataDir,
    password: BENCH_PASSWORD,
    redirect: BENCH_REDIRECT,
    ...setup,
    ...(adminApp
      ? {
          adminApp: {
            clientId: adminApp.application.clientId,
            clientSecret: adminApp.clientSecret,
            scope: ADMIN_SCOPE,
          },
        }
      : {}),
  }),
);

process.on('SIGINT', () => {
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
