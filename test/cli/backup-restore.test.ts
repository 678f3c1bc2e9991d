/**
 * `stepgate backup` and `restore` for the embedded SQLite database, as an operator runs them: a real server
 * process serving while the backup is taken, a write after the backup that the restore takes back, and every
 * refusal with its reason — an existing file, a running node, a file that is not a Stepgate backup or comes from
 * a newer version, and PostgreSQL (pg_dump's job).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { postgresBackend, skipPostgres, suiteNeeding } from '../support/backends.js';
import { freePort } from '../support/server.js';
import { runStepgate } from './support.js';

const root = join(import.meta.dirname, '..', '..');

describe('stepgate backup / restore (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepgate-backup-'));
  const config = join(dir, 'stepgate.yaml');
  const backup = join(dir, 'backup.db');
  let port: number;
  let server: ChildProcess | undefined;
  const stepgate = (...args: string[]) => runStepgate(config, args);

  async function startServer(): Promise<void> {
    const proc = spawn(process.execPath, [join(root, 'bin', 'stepgate.js'), '-c', config, 'start'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = proc;
    let output = '';
    proc.stdout!.on('data', (d) => {
      output += d;
    });
    proc.stderr!.on('data', (d) => {
      output += d;
    });
    const deadline = Date.now() + 60_000;
    while (!output.includes('listening')) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async function stopServer(): Promise<void> {
    const proc = server;
    server = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }

  before(async () => {
    port = await freePort();
    writeFileSync(
      config,
      `port: ${port}\npublicUrl: http://localhost:${port}\ndataDir: ${join(dir, 'data')}\nmasterKey: ${Buffer.alloc(32, 7).toString('base64')}\nshutdownGraceSeconds: 1\nargon2:\n  memoryKiB: 8192\n  iterations: 1\n`,
    );
  });
  after(stopServer);

  const usernames = async () => {
    const r = await stepgate('export');
    assert.equal(r.code, 0, r.err);
    return [...r.out.matchAll(/username: (\S+)/g)].map((m) => m[1]);
  };

  test('a backup taken while the node serves; the restore brings back that moment, after the node stopped', async () => {
    assert.equal((await stepgate('user', 'add', 'before-backup', '--password', 'a long password 1')).code, 0);
    await startServer();
    const taken = await stepgate('backup', '-o', backup);
    assert.equal(taken.code, 0, taken.err);
    assert.match(taken.out, /Backed up .*stepgate\.db to .*backup\.db \(\d+ pages\)/);
    // near miss: a second backup to the same file is refused, nothing overwritten without --force
    const again = await stepgate('backup', '-o', backup);
    assert.equal(again.code, 1);
    assert.match(again.err, /exists; give --force/);
    assert.equal((await stepgate('user', 'add', 'after-backup', '--password', 'a long password 2')).code, 0);
    assert.deepEqual((await usernames()).sort(), ['after-backup', 'before-backup']);

    const whileRunning = await stepgate('restore', '-f', backup, '--force');
    assert.equal(whileRunning.code, 1);
    assert.match(whileRunning.err, /answers on port .*stop every node/);
    await stopServer();

    const noForce = await stepgate('restore', '-f', backup);
    assert.equal(noForce.code, 1);
    assert.match(noForce.err, /a database exists .*--force/);
    const restored = await stepgate('restore', '-f', backup, '--force');
    assert.equal(restored.code, 0, restored.err);
    assert.match(restored.out, /Restored .*: 1 users, \d+ applications, migrations up to \d{4}_/);
    assert.deepEqual(await usernames(), ['before-backup']);
    // the restored database serves: a node starts on it
    await startServer();
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    await stopServer();
  });

  test('a restore refuses what is not a Stepgate backup of this version, and changes nothing', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database at all, just some words that are long enough to look like a file');
    const foreign = join(dir, 'foreign.db');
    const f = new SQLite(foreign);
    f.exec('create table things (id integer primary key)');
    f.close();
    const newer = join(dir, 'newer.db');
    copyFileSync(backup, newer);
    const n = new SQLite(newer);
    n.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run(
      '9999_future',
      new Date().toISOString(),
    );
    n.close();
    for (const [file, reason] of [
      [join(dir, 'missing.db'), /there is no file/],
      [text, /not a SQLite database/],
      [foreign, /not a Stepgate one/],
      [newer, /newer Stepgate \(migrations 9999_future\)/],
    ] as const) {
      const r = await stepgate('restore', '-f', file, '--force');
      assert.equal(r.code, 1, `${file}: ${r.out}`);
      assert.match(r.err, reason);
    }
    assert.deepEqual(await usernames(), ['before-backup'], 'a refused restore changed the database');
  });

  test('with PostgreSQL, backup and restore say to use pg_dump', async () => {
    const pgConfig = join(dir, 'pg.yaml');
    writeFileSync(pgConfig, `databaseUrl: postgres://postgres@127.0.0.1:1/none\ndataDir: ${join(dir, 'pg')}\n`);
    for (const args of [
      ['backup', '-o', join(dir, 'x.db')],
      ['restore', '-f', backup],
    ]) {
      const r = await runStepgate(pgConfig, args);
      assert.equal(r.code, 1);
      assert.match(r.err, /pg_dump/);
    }
  });
});

suiteNeeding(skipPostgres, 'PostgreSQL: the documented pg_dump / pg_restore (docs/backup.md)', () => {
  test('a dump of one database restored into an empty one serves the same users', async () => {
    const source = await postgresBackend.create();
    const target = await postgresBackend.create();
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-pgdump-'));
    const configFor = (url: string, name: string) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(
        file,
        `databaseUrl: ${url}\ndataDir: ${join(dir, name)}\nmasterKey: ${Buffer.alloc(32, 9).toString('base64')}\nargon2:\n  memoryKiB: 8192\n  iterations: 1\n`,
      );
      return file;
    };
    try {
      const from = configFor(source.url, 'source');
      assert.equal(
        (await runStepgate(from, ['user', 'add', 'dumped-user', '--password', 'a long password 3'])).code,
        0,
      );
      const dump = join(dir, 'stepgate.dump');
      const dumped = spawnSync('pg_dump', ['--format=custom', '--no-owner', `--file=${dump}`, source.url], {
        encoding: 'utf8',
      });
      assert.equal(dumped.status, 0, dumped.stderr);
      const restored = spawnSync('pg_restore', ['--no-owner', `--dbname=${target.url}`, dump], { encoding: 'utf8' });
      assert.equal(restored.status, 0, restored.stderr);
      const to = configFor(target.url, 'target');
      assert.equal((await runStepgate(to, ['migrate'])).code, 0);
      const exported = await runStepgate(to, ['export']);
      assert.equal(exported.code, 0, exported.err);
      assert.match(exported.out, /username: dumped-user/);
    } finally {
      await source.drop();
      await target.drop();
    }
  });
});
