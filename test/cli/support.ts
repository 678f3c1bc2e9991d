/** The `stepgate` command as a real process for the CLI suites: a config file, a clean environment, its output. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export interface CommandResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `stepgate -c <config> …args` in the config file's folder, with only PATH and HOME set (so the suite's
 * DATABASE_URL does not leak into the operator's view), without blocking this process: the test may itself serve
 * the SMS provider the command calls.
 */
export function runStepgate(config: string, args: string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'stepgate.js'), '-c', config, ...args], {
      cwd: dirname(config),
      env: { PATH: process.env.PATH ?? '', HOME: dirname(config) },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/**
 * `stepgate truststore import` of one PEM certificate (written next to the config as <alias>.pem), so the commands
 * that follow trust the suite's HTTPS imitations; the test fails here when the import does not succeed.
 */
export async function trustCertificate(config: string, certPem: string, alias: string): Promise<void> {
  const file = join(dirname(config), `${alias}.pem`);
  writeFileSync(file, certPem);
  const imported = await runStepgate(config, ['truststore', 'import', '--file', file, '--alias', alias]);
  assert.equal(imported.code, 0, imported.err);
}
