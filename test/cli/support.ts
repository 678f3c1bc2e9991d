/** The `stepgate` command as a real process for the CLI suites: a config file, a clean environment, its output. */
import { spawn } from 'node:child_process';
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
