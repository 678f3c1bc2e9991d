#!/usr/bin/env node
/**
 * The `stepgate` command. Each sub-command loads the configuration once, builds the services it needs and exits
 * with a clear message (exit 1) on bad input: never a stack trace for a mistake the operator can fix.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { ConflictError, found, NotFoundError, ValidationError } from './identity/errors.js';
import { createServices, type Services } from './services.js';
import { SetupError } from './setup/errors.js';
import type { Db } from './store/db.js';

const HELP = `stepgate — an OpenID Connect and SAML 2.0 identity server with SMS one-time passwords

Usage: stepgate <command> [options]    (global: -c, --config <stepgate.yaml>)

  start                               run the server
  demo                                run the demo: Stepgate, Pickup Dispatch (OIDC and SAML) and the dev SMS inbox
  migrate                             apply database migrations and exit
  apply -f <setup.yaml> [--reset-passwords]
                                      make claims, identity providers, applications and users match the file
  export [-o <file>]                  write the current setup (secrets left out)
  user add <username> [--password <p>] [--mobile <+E.164>] [--role <r>]...
  user passwd <username> [--password <p>]   (reads the password from standard input when not given)
  user unlock <username>
  app add --name <name> --client-credentials --scope stepgate:admin
                                      create an automation client; prints its id and secret once
  app list
  truststore import --file <cert> --alias <name> [--password <store password>]
  truststore list
  truststore delete <alias>
  sms send --idp <name> --to <number> [--text <message>] [--gateway <name>]
  keys rotate [--use sig|cookie|saml] new signing (cookie, SAML) key; old ones stay published
  keys list
  backup -o <file> [--force]          an online, consistent copy of the embedded SQLite database
  restore -f <file> [--force]         replace the SQLite database with a checked backup (stop every node first)
`;

class UsageError extends Error {}

/** The actor of a change made with this command (`data.actor` of its audit event; the admin API names its caller). */
const CLI_ACTOR = 'cli';

async function withServices<T>(config: Config, fn: (s: Services) => Promise<T>): Promise<T> {
  const s = await createServices(config);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('give --password, or pipe the password on standard input');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function table(rows: Record<string, string>[]): string {
  if (rows.length === 0) return '(none)';
  const keys = Object.keys(rows[0]!);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (r: Record<string, string>) =>
    keys
      .map((k, i) => (r[k] ?? '').padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(Object.fromEntries(keys.map((k) => [k, k.toUpperCase()]))), ...rows.map(line)].join('\n');
}

export async function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      file: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      alias: { type: 'string' },
      password: { type: 'string' },
      mobile: { type: 'string' },
      role: { type: 'string', multiple: true },
      name: { type: 'string' },
      scope: { type: 'string' },
      'client-credentials': { type: 'boolean' },
      'reset-passwords': { type: 'boolean' },
      force: { type: 'boolean' },
      idp: { type: 'string' },
      to: { type: 'string' },
      gateway: { type: 'string' },
      text: { type: 'string' },
      use: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, arg] = positionals;
  if (!command || values.help || command === 'help') {
    out(HELP);
    return 0;
  }
  const config = () => loadConfig({ file: values.config });

  switch (command) {
    case 'start': {
      const { startServer } = await import('./main.js');
      const server = await startServer(config());
      out(`Stepgate is listening at ${server.url}`);
      await waitForSignal(() => server.stop(), (server.services.config.shutdownGraceSeconds + 10) * 1000);
      out('Stopped.');
      return 0;
    }
    case 'demo': {
      const { runDemo } = await import('./demo/run.js');
      const cfg = loadConfig({ file: values.config, overrides: { 'devSms.enabled': true } });
      if (cfg.mode === 'production') throw new UsageError('the demo does not run in production mode');
      if (cfg.host === '127.0.0.1') cfg.host = 'localhost';
      const demo = await runDemo(cfg, out);
      await waitForSignal(() => demo.stop());
      out('Stopped.');
      return 0;
    }
    case 'migrate':
      await withServices(config(), async () => out('The database is up to date.'));
      return 0;
    case 'apply': {
      if (!values.file) throw new UsageError('apply needs -f <setup.yaml>');
      const { applySetup, parseSetup } = await import('./setup/apply.js');
      const parsed = parseSetup(readFileSync(values.file, 'utf8'), values.file);
      const report = await withServices(config(), (s) =>
        applySetup(s, parsed, values.file!, { resetPasswords: values['reset-passwords'] === true }),
      );
      for (const c of report.created) out(`created  ${c}`);
      for (const u of report.updated) out(`updated  ${u}`);
      for (const w of report.warnings) out(`warning  ${w}`);
      return 0;
    }
    case 'export': {
      const { exportSetupYaml } = await import('./setup/export.js');
      const yaml = await withServices(config(), exportSetupYaml);
      if (values.output) writeFileSync(values.output, yaml);
      else out(yaml);
      return 0;
    }
    case 'user':
      return userCommand(sub, arg, values, config(), out);
    case 'app':
      return appCommand(sub, values, config(), out);
    case 'truststore':
      return truststoreCommand(sub, arg, values, config(), out);
    case 'sms':
      return smsCommand(sub, values, config(), out);
    case 'keys':
      return keysCommand(sub, values, config(), out);
    case 'backup':
    case 'restore':
      return backupCommand(command, values, config(), out);
    default:
      throw new UsageError(`unknown command "${command}"; see stepgate --help`);
  }
}

type Values = Record<string, string | boolean | string[] | undefined>;

async function backupCommand(
  command: 'backup' | 'restore',
  values: Values,
  cfg: Config,
  out: (s: string) => void,
): Promise<number> {
  const { BackupError, backupSqlite, restoreSqlite, sqliteFileOf } = await import('./store/backup.js');
  const { databaseUrlFor } = await import('./store/db.js');
  const file = sqliteFileOf(databaseUrlFor(cfg));
  if (!file)
    throw new UsageError(
      `${command} is for the embedded SQLite database; with PostgreSQL use pg_dump / pg_restore (docs/backup.md)`,
    );
  try {
    if (command === 'backup') {
      if (typeof values.output !== 'string') throw new UsageError('backup needs -o <file>');
      const { pages } = await backupSqlite(file, values.output, values.force === true);
      out(`Backed up ${file} to ${values.output} (${pages} pages).`);
      return 0;
    }
    if (typeof values.file !== 'string') throw new UsageError('restore needs -f <backup file>');
    // a node serving this database would keep its old file open and write on: stop it first
    const running = await fetch(`http://127.0.0.1:${cfg.port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
    if (running) throw new UsageError(`a Stepgate node answers on port ${cfg.port}: stop every node, then restore`);
    const found = await restoreSqlite(file, values.file, values.force === true);
    out(
      `Restored ${file} from ${values.file}: ${found.users} users, ${found.applications} applications, migrations up to ${found.migrations.at(-1) ?? '(none)'}.`,
    );
    return 0;
  } catch (e) {
    if (e instanceof BackupError) throw new UsageError(e.message);
    throw e;
  }
}

async function userCommand(
  sub: string | undefined,
  username: string | undefined,
  values: Values,
  cfg: Config,
  out: (s: string) => void,
): Promise<number> {
  const users = await import('./identity/users.js');
  const { ClaimUri } = await import('./identity/claim-uris.js');
  if (!username) throw new UsageError(`user ${sub ?? ''} needs a username`);
  return withServices(cfg, async (s) => {
    switch (sub) {
      case 'add': {
        const password = typeof values.password === 'string' ? values.password : undefined;
        const claims: Record<string, string> =
          typeof values.mobile === 'string' ? { [ClaimUri.mobile]: values.mobile } : {};
        const prepared = await users.prepareNewUser(s.hasher, {
          username,
          password,
          claims,
          roles: (values.role as string[] | undefined) ?? [],
        });
        // the user and its audit event commit together (the number is normalised to E.164 on the way in)
        const u = await s.db.transaction().execute(async (trx) => {
          const created = await users.insertUser(trx, prepared);
          await s.audit.record(
            { event: 'cli.user.add', userId: created.id, username: created.username, data: { actor: CLI_ACTOR } },
            trx,
          );
          return created;
        });
        out(`Created user ${u.username} (${u.id}).`);
        return 0;
      }
      case 'passwd': {
        const u = found(await users.getUserByUsername(s.db, username), 'user', username);
        const password = typeof values.password === 'string' ? values.password : await readStdin();
        // hashed before the transaction (it is slow); the new hash and its event commit together
        const hash = await users.preparePassword(s.hasher, password);
        await s.db.transaction().execute(async (trx) => {
          await users.setPasswordHash(trx, u.id, hash);
          await s.audit.record(
            { event: 'cli.user.set-password', userId: u.id, username: u.username, data: { actor: CLI_ACTOR } },
            trx,
          );
        });
        out(`Password of ${username} changed.`);
        return 0;
      }
      case 'unlock': {
        const u = found(await users.getUserByUsername(s.db, username), 'user', username);
        const { unlockUser } = await import('./identity/lockout.js');
        // the unlock and its event commit together (the event used to follow the unlock, and could go missing)
        await s.db.transaction().execute(async (trx) => {
          await unlockUser(trx, u.id);
          await s.audit.record(
            { event: 'account.unlocked', userId: u.id, username: u.username, data: { actor: CLI_ACTOR } },
            trx,
          );
        });
        out(`Unlocked ${username}.`);
        return 0;
      }
      default:
        throw new UsageError('user takes add, passwd or unlock');
    }
  });
}

async function appCommand(
  sub: string | undefined,
  values: Values,
  cfg: Config,
  out: (s: string) => void,
): Promise<number> {
  return withServices(cfg, async (s) => {
    if (sub === 'list') {
      out(
        table(
          (await s.applications.list()).map((a) => ({
            name: a.name,
            clientId: a.clientId,
            type: a.clientType,
            grants: a.grantTypes.join(','),
          })),
        ),
      );
      return 0;
    }
    if (sub !== 'add') throw new UsageError('app takes add or list');
    if (typeof values.name !== 'string') throw new UsageError('app add needs --name');
    if (!values['client-credentials'])
      throw new UsageError(
        'app add creates automation clients: give --client-credentials (login applications are made in the console or with apply)',
      );
    const scopes = typeof values.scope === 'string' ? values.scope.split(/[\s,]+/).filter(Boolean) : [];
    const name = values.name;
    // the client and its event commit together: an admin-scope client made from a shell is on the record
    const { application, clientSecret } = await s.applications.create(
      {
        name,
        clientType: 'confidential',
        grantTypes: ['client_credentials'],
        redirectUris: [],
        extraScopes: scopes,
      },
      Date.now(),
      (trx, created) =>
        s.audit.record(
          {
            event: 'cli.application.add',
            clientId: created.clientId,
            data: {
              actor: CLI_ACTOR,
              applicationId: created.id,
              clientId: created.clientId,
              name: name.trim(),
              scopes,
            },
          },
          trx,
        ),
    );
    out(`client_id:     ${application.clientId}`);
    out(`client_secret: ${clientSecret}`);
    out('The secret is shown once. Get a token with:');
    out(
      `  curl -u '${application.clientId}:<secret>' -d grant_type=client_credentials -d scope='${scopes.join(' ')}' ${cfg.publicUrl}/oidc/token`,
    );
    return 0;
  });
}

async function truststoreCommand(
  sub: string | undefined,
  alias: string | undefined,
  values: Values,
  cfg: Config,
  out: (s: string) => void,
): Promise<number> {
  const { parseCertificates, TruststoreParseError } = await import('./sms/index.js');
  return withServices(cfg, async (s) => {
    switch (sub) {
      case 'import': {
        if (typeof values.file !== 'string' || typeof values.alias !== 'string')
          throw new UsageError('truststore import needs --file <cert> and --alias <name>');
        let certs: ReturnType<typeof parseCertificates>;
        try {
          certs = parseCertificates(
            readFileSync(values.file),
            typeof values.password === 'string' ? values.password : undefined,
          );
        } catch (e) {
          if (e instanceof TruststoreParseError) throw new UsageError(`${values.file}: ${e.message}`);
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${values.file}: no such file`);
          throw e;
        }
        // the certificates and their audit event commit together; a refused import writes neither
        const imported = await s.truststore.import(values.alias, certs, Date.now(), (trx, stored) =>
          s.audit.record(
            {
              event: 'cli.truststore.import',
              data: {
                actor: CLI_ACTOR,
                aliases: stored.map((c) => c.alias),
                fingerprints: stored.map((c) => c.fingerprint),
              },
            },
            trx,
          ),
        );
        for (const c of imported)
          out(`Imported ${c.alias}: ${c.subject} (expires ${new Date(c.notAfter).toISOString().slice(0, 10)})`);
        return 0;
      }
      case 'list':
        out(
          table(
            (await s.truststore.list()).map((c) => ({
              alias: c.alias,
              subject: c.subject,
              issuer: c.issuer,
              expires: new Date(c.notAfter).toISOString().slice(0, 10),
            })),
          ),
        );
        return 0;
      case 'delete':
        if (!alias) throw new UsageError('truststore delete needs an alias');
        await s.truststore.delete(alias, (trx) =>
          s.audit.record({ event: 'cli.truststore.delete', data: { actor: CLI_ACTOR, alias } }, trx),
        );
        out(`Deleted ${alias}.`);
        return 0;
      default:
        throw new UsageError('truststore takes import, list or delete');
    }
  });
}

async function smsCommand(
  sub: string | undefined,
  values: Values,
  cfg: Config,
  out: (s: string) => void,
): Promise<number> {
  if (sub !== 'send') throw new UsageError('sms takes send');
  if (typeof values.idp !== 'string' || typeof values.to !== 'string')
    throw new UsageError('sms send needs --idp <name> and --to <number>');
  const { sendTestSms } = await import('./sms-test/send-test-sms.js');
  return withServices(cfg, async (s) => {
    const idp = found(
      await s.identityProviders.getByName(values.idp as string),
      'identity provider',
      values.idp as string,
    );
    // the services' gateway applies the configured destination rules and logs a failure like a login's send
    const gateway = s.smsGateway;
    {
      const { ok, request, outcome, ...used } = await sendTestSms(gateway, idp, {
        to: values.to as string,
        text: typeof values.text === 'string' ? values.text : undefined,
        gateway: typeof values.gateway === 'string' ? values.gateway : undefined,
      });
      // a test asks exactly one gateway and leaves its breaker alone (sms-test/send-test-sms.ts)
      const why =
        values.gateway !== undefined
          ? 'chosen with --gateway'
          : used.route === null
            ? 'first gateway; no route matches the number'
            : `first gateway of route ${used.route}`;
      out(`Gateway: ${used.gateway} (${why})`);
      out('Request (secrets masked):');
      out(`  ${request?.method ?? '?'} ${request?.url ?? '(not rendered)'}`);
      for (const [k, v] of request?.headers ?? []) out(`  ${k}: ${v}`);
      if (request?.body) out(`\n  ${request.body}`);
      out('');
      if (ok)
        out(`Accepted${outcome.messageId ? ` (message id ${outcome.messageId})` : ''} in ${outcome.latencyMs} ms.`);
      else out(`Failed: ${outcome.code}: ${outcome.reason}`);
      if (outcome.providerAnswer) out(`Provider answered (masked): ${outcome.providerAnswer}`);
      return ok ? 0 : 2;
    }
  });
}

async function keysCommand(
  sub: string | undefined,
  values: Values,
  cfg: Config,
  out: (s: string) => void,
): Promise<number> {
  const keys = await import('./oidc/keys.js');
  return withServices(cfg, async (s) => {
    if (sub === 'list') {
      out(
        table(
          (await keys.listKeys(s.db)).map((k) => ({
            kid: k.kid,
            use: k.use,
            status: k.status,
            created: new Date(k.createdAt).toISOString(),
          })),
        ),
      );
      return 0;
    }
    if (sub !== 'rotate') throw new UsageError('keys takes rotate or list');
    if (values.use !== undefined && !['sig', 'cookie', 'saml'].includes(values.use as string))
      throw new UsageError('keys rotate --use takes sig, cookie or saml');
    // retiring the active key, adding its successor and the audit event commit together, or none of them does
    const rotated = (use: string, rotate: (trx: Db) => Promise<string>) =>
      s.db.transaction().execute(async (trx) => {
        const kid = await rotate(trx);
        await s.audit.record({ event: 'cli.keys.rotate', data: { actor: CLI_ACTOR, use, kid } }, trx);
        return kid;
      });
    if (values.use === 'saml') {
      const { rotateSamlKeys } = await import('./saml/keys.js');
      const kid = await rotated('saml', (trx) => rotateSamlKeys(trx, s.keyring, cfg.publicUrl));
      out(
        `New SAML signing key ${kid} is active; restart every node to pick it up (the previous certificates stay in /saml2/metadata).`,
      );
      return 0;
    }
    const use = values.use === 'cookie' ? 'cookie' : 'sig';
    const kid = await rotated(use, (trx) => keys.rotateKeys(trx, s.keyring, use));
    out(
      `New ${use} key ${kid} is active; restart every node to pick it up (earlier keys stay published for verification).`,
    );
    return 0;
  });
}

function waitForSignal(stop: () => Promise<void>, limitMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    // npm and tsx relay Ctrl-C as further SIGINT/SIGTERM to this process: once stopping, later signals are ignored
    // (the handler stays installed so they cannot kill the process half-way), with a hard limit as the safety net.
    const handler = () => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => {
        console.error(`stepgate: shutdown took longer than ${limitMs / 1000} s; exiting`);
        process.exit(1);
      }, limitMs).unref();
      stop().then(resolve, (err) => {
        console.error(err);
        resolve();
      });
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

/** Turns expected errors into one clear line; anything else is a bug and keeps its stack. */
export function describeError(e: unknown): string | undefined {
  if (e instanceof ConfigError || e instanceof SetupError) return e.message;
  if (e instanceof ValidationError)
    return `Invalid input:\n${e.problems.map((p) => `  - ${p.field}: ${p.message}`).join('\n')}`;
  if (e instanceof NotFoundError || e instanceof ConflictError || e instanceof UsageError) return e.message;
  if (e instanceof TypeError && (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return `${e.message}; see stepgate --help`;
  if ((e as NodeJS.ErrnoException)?.code?.startsWith?.('ERR_PARSE_ARGS'))
    return `${(e as Error).message}; see stepgate --help`;
  if ((e as NodeJS.ErrnoException)?.code === 'EADDRINUSE')
    return `The port is in use: ${(e as Error).message}. Set STEPGATE_PORT (or demo.pickupPort) to another port.`;
  if ((e as NodeJS.ErrnoException)?.code === 'ECONNREFUSED')
    return `Cannot reach a service: ${(e as Error).message}. Check DATABASE_URL / REDIS_URL.`;
  return undefined;
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      const message = describeError(e);
      if (message) console.error(`stepgate: ${message}`);
      else console.error(e);
      process.exit(1);
    },
  );
}
