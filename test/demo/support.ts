/** The demo as a process, started the way the README says (`npm start`), for the demo's browser tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../support/server.js';

export const root = join(import.meta.dirname, '..', '..');
export const ADMIN_PASSWORD = 'demo admin password';

export interface Demo {
  proc: ChildProcess;
  output: () => string;
  stepgate: string;
  pickup: string;
  pickupSaml: string;
}

/** Starts `npm start` exactly as the README says, on the given ports and data folder. */
export async function startDemo(dataDir: string, port: number, pickupPort: number): Promise<Demo> {
  let output = '';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STEPGATE_DATA_DIR: dataDir,
    STEPGATE_PORT: String(port),
    STEPGATE_DEMO__PICKUP_PORT: String(pickupPort),
    // the SAML sample's own port, free too (8081 may be taken by another suite's demo)
    STEPGATE_DEMO__PICKUP_SAML_PORT: String(samlPorts.get(dataDir) ?? (await rememberSamlPort(dataDir))),
    STEPGATE_ADMIN_PASSWORD: ADMIN_PASSWORD,
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  // the demo's own default log level is under test: no level from the test runner's environment
  delete env.STEPGATE_LOG_LEVEL;
  delete env.STEPGATE_DEMO__LOG_LEVEL;
  const proc = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  proc.stdout!.on('data', (d) => {
    output += d;
  });
  proc.stderr!.on('data', (d) => {
    output += d;
  });
  const deadline = Date.now() + 90_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`the demo did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    proc,
    output: () => output,
    stepgate: `http://localhost:${port}`,
    pickup: `http://localhost:${pickupPort}`,
    pickupSaml: `http://localhost:${samlPorts.get(dataDir)}`,
  };
}

/** Each demo data folder keeps one SAML sample port across its restarts (its registered ACS URL names it). */
const samlPorts = new Map<string, number>();
async function rememberSamlPort(dataDir: string): Promise<number> {
  const port = await freePort();
  samlPorts.set(dataDir, port);
  return port;
}

export async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return false;
  } catch {
    return true;
  }
}

/** Ctrl-C: the whole process group gets SIGINT, as a terminal would send it; resolves once Stepgate said it stopped. */
export async function stopDemo(demo: Demo): Promise<boolean> {
  if (!running(demo))
    throw new Error(`the demo is not running (exit ${demo.proc.exitCode ?? demo.proc.signalCode}):\n${demo.output()}`);
  process.kill(-demo.proc.pid!, 'SIGINT');
  const deadline = Date.now() + 20_000;
  while (!demo.output().includes('Stopped.')) {
    if (Date.now() > deadline) {
      if (running(demo)) process.kill(-demo.proc.pid!, 'SIGKILL');
      return false;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

export const running = (demo: Demo | undefined) =>
  demo !== undefined && demo.proc.exitCode === null && demo.proc.signalCode === null;

export async function latestOtp(stepgate: string, after: number): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${stepgate}/dev/sms/api/messages`);
    const { messages } = (await res.json()) as { messages: { text: string; receivedAt: string }[] };
    const fresh = messages.find((m) => Date.parse(m.receivedAt) >= after);
    const code = fresh && /Verification Code: (\d{6})/.exec(fresh.text)?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no OTP arrived in the SMS inbox');
}
