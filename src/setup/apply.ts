/**
 * `stepgate apply`: makes the database match a setup file. Idempotent: what exists is updated with the fields the
 * file names, what is missing is created, nothing is deleted. Errors name the line of the file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { LineCounter, type Node, parseDocument } from 'yaml';
import type { SequenceOption } from '../identity/applications.js';
import { createAuthenticatorSettings, type SettingsId } from '../identity/authenticator-settings.js';
import { addLocalClaim, getLocalClaim, setMapping, updateLocalClaim } from '../identity/claims.js';
import { ValidationError } from '../identity/errors.js';
import { parseSpMetadata, SamlMetadataError } from '../identity/saml-metadata.js';
import type { SamlServiceProviderInput } from '../identity/saml-settings.js';
import {
  getUserByUsername,
  insertUser,
  prepareNewUser,
  preparePassword,
  setEnabled,
  setPasswordHash,
  setRoles,
  setUserClaims,
} from '../identity/users.js';
import type { Services } from '../services.js';
import type { Db } from '../store/db.js';
import { SetupError } from './errors.js';
import { type Setup, type SetupApplication, type SetupOption, SetupSchema } from './schema.js';

export { SetupError };

/** Replaces ${NAME} with the environment's value, so secrets stay out of the file. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, missing: Set<string>): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) missing.add(name);
      return v ?? '';
    });
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env, missing));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, missing)]));
  return value;
}

export interface ParsedSetup {
  setup: Setup;
  /** line of a path in the file, for messages */
  lineOf(path: (string | number)[]): number | undefined;
}

export function parseSetup(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ParsedSetup {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new SetupError([`${file} line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`]);
  }
  const lineOf = (path: (string | number)[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (node && (node as { range?: [number, number, number] }).range)
        return counter.linePos((node as { range: [number, number, number] }).range[0]).line;
    }
    return undefined;
  };
  const raw = doc.toJS() ?? {};
  const missing = new Set<string>();
  const value = interpolate(raw, env, missing);
  const problems = [...Value.Errors(SetupSchema, value)].map((e) => {
    const path = e.path
      .split('/')
      .filter(Boolean)
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    return `${file} line ${lineOf(path) ?? '?'} (${path.join('.') || 'top level'}): ${e.message}`;
  });
  if (missing.size > 0) problems.push(`${file}: environment variables not set: ${[...missing].join(', ')}`);
  if (problems.length > 0) throw new SetupError([...new Set(problems)]);
  return { setup: value as Setup, lineOf };
}

function toOption(o: SetupOption): SequenceOption {
  if (typeof o !== 'string')
    return o.idp ? { authenticator: o.authenticator, idp: o.idp } : { authenticator: o.authenticator };
  const [idp, authenticator] = o.includes(':') ? o.split(':', 2) : [undefined, o];
  return idp ? { authenticator: authenticator!, idp } : { authenticator: authenticator! };
}

/** `saml.assertionConsumerUrls[0]` → ['saml', 'assertionConsumerUrls', 0], a path into the file's document. */
function fieldPath(field: string): (string | number)[] {
  return field
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * An application's SAML settings from the file: its `samlMetadata` read as "Import SP metadata" (file paths relative to
 * the setup file), then what its `saml` names on top. Undefined when the file names neither.
 */
function samlOf(app: SetupApplication, setupFile: string): SamlServiceProviderInput | undefined {
  const { saml, samlMetadata } = app;
  if (!samlMetadata) return saml as SamlServiceProviderInput | undefined;
  const given = [samlMetadata.file, samlMetadata.xml].filter((v) => v !== undefined).length;
  if (given !== 1) throw new ValidationError([{ field: 'samlMetadata', message: 'give either file or xml' }]);
  let xml = samlMetadata.xml;
  if (samlMetadata.file !== undefined) {
    const path = resolve(dirname(setupFile), samlMetadata.file);
    try {
      xml = readFileSync(path, 'utf8');
    } catch (e) {
      throw new ValidationError([
        { field: 'samlMetadata.file', message: `cannot be read: ${(e as NodeJS.ErrnoException).code ?? e}` },
      ]);
    }
  }
  try {
    const imported = parseSpMetadata(xml!);
    return { ...imported.settings, ...(saml ?? {}) } as SamlServiceProviderInput;
  } catch (e) {
    if (e instanceof SamlMetadataError)
      throw new ValidationError([
        { field: samlMetadata.file !== undefined ? 'samlMetadata.file' : 'samlMetadata.xml', message: e.message },
      ]);
    throw e;
  }
}

export interface ApplyReport {
  created: string[];
  updated: string[];
  /** mistakes that did not block the apply (an SMS payload's ctx.num without $), with the file line */
  warnings: string[];
}

export async function applySetup(
  s: Services,
  parsed: ParsedSetup,
  file: string,
  options: { resetPasswords?: boolean } = {},
): Promise<ApplyReport> {
  const { setup, lineOf } = parsed;
  const report: ApplyReport = { created: [], updated: [], warnings: [] };
  const wrap = async (path: (string | number)[], fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      const where = `${file} line ${lineOf(path) ?? '?'} (${path.join('.')})`;
      // a SAML problem (saml.assertionConsumerUrls[0]) names its field's own line (or the saml block's)
      if (e instanceof ValidationError)
        throw new SetupError(
          e.problems.map((p) => {
            const line = lineOf(/^saml(Metadata)?(\.|$)/.test(p.field) ? [...path, ...fieldPath(p.field)] : path);
            return `${file} line ${line ?? '?'} (${path.join('.')}): ${p.field}: ${p.message}`;
          }),
        );
      throw new SetupError([`${where}: ${(e as Error).message}`]);
    }
  };

  // every write below commits with its setup.* event (docs/architecture.md, "Admin writes"): the stores take it as
  // their alongside work; `by: setup` as in the user and authenticator events
  const audit = (trx: Db, event: string, data: Record<string, unknown>) =>
    s.audit.record({ event, data: { by: 'setup', ...data } }, trx);
  for (const [i, c] of (setup.claims ?? []).entries()) {
    await wrap(['claims', i], async () => {
      const existing = await getLocalClaim(s.db, c.uri);
      if (existing) {
        await updateLocalClaim(s.db, c.uri, c as Parameters<typeof updateLocalClaim>[2], (trx) =>
          audit(trx, 'setup.claim.update', { uri: c.uri, fields: Object.keys(c).filter((k) => k !== 'uri') }),
        );
        report.updated.push(`claim ${c.uri}`);
      } else {
        if (!c.displayName || !c.mappedAttribute)
          throw new ValidationError([
            { field: 'claims', message: 'a new claim needs displayName and mappedAttribute' },
          ]);
        const mappedAttribute = c.mappedAttribute;
        await addLocalClaim(
          s.db,
          { ...c, displayName: c.displayName, mappedAttribute, regex: c.regex ?? null },
          (trx) => audit(trx, 'setup.claim.create', { uri: c.uri, mappedAttribute }),
        );
        report.created.push(`claim ${c.uri}`);
      }
    });
  }
  for (const [i, m] of (setup.claimMappings ?? []).entries()) {
    await wrap(['claimMappings', i], async () => {
      await setMapping(s.db, m, (trx) => audit(trx, 'setup.claim-mapping.update', { ...m }));
      report.updated.push(`mapping ${m.externalClaim}`);
    });
  }
  for (const [i, idp] of (setup.identityProviders ?? []).entries()) {
    await wrap(['identityProviders', i], async () => {
      const { authenticators, ...fields } = idp;
      const input = {
        ...fields,
        ...(authenticators
          ? {
              authenticators: authenticators.map((a) => ({
                type: a.type,
                enabled: a.enabled !== false,
                config: a.config ?? {},
              })),
            }
          : {}),
      };
      const existing = await s.identityProviders.getByName(idp.name);
      let saved: Awaited<ReturnType<typeof s.identityProviders.create>>;
      if (existing) {
        // the event names the provider and what the file set, never its configuration (gateway secrets)
        saved = await s.identityProviders.update(existing.id, input, Date.now(), (trx) =>
          audit(trx, 'setup.identity-provider.update', {
            identityProviderId: existing.id,
            name: idp.name,
            fields: Object.keys(input),
          }),
        );
        report.updated.push(`identity provider ${idp.name}`);
      } else {
        saved = await s.identityProviders.create(input, Date.now(), (trx, created) =>
          audit(trx, 'setup.identity-provider.create', { identityProviderId: created.id, name: idp.name }),
        );
        report.created.push(`identity provider ${idp.name}`);
      }
      const where = `${file} line ${lineOf(['identityProviders', i]) ?? '?'} (identityProviders.${i})`;
      for (const w of s.identityProviders.warnings(saved)) report.warnings.push(`${where}: ${w.field}: ${w.message}`);
    });
  }
  // each authenticator's settings: the file's fields over what applies now, checked as a whole, audited with the write
  const settings = createAuthenticatorSettings(s.db, s.config);
  for (const id of ['totp', 'passkey'] as const satisfies readonly SettingsId[]) {
    const given = setup.authenticators?.[id];
    if (!given) continue;
    await wrap(['authenticators', id], async () => {
      const merged = { ...(await settings.get(id)).settings, ...given };
      await s.db.transaction().execute(async (trx) => {
        await settings.put(id, merged, Date.now(), trx);
        await s.audit.record(
          { event: 'setup.authenticator.update', data: { by: 'setup', authenticator: id, settings: merged } },
          trx,
        );
      });
      settings.flush();
      report.updated.push(`authenticator ${id}`);
    });
  }
  for (const [i, app] of (setup.applications ?? []).entries()) {
    await wrap(['applications', i], async () => {
      const { steps, saml: _saml, samlMetadata: _metadata, ...rest } = app;
      const saml = samlOf(app, file);
      const input = {
        ...rest,
        ...(steps ? { steps: steps.map((options) => ({ options: options.map(toOption) })) } : {}),
        ...(saml ? { saml } : {}),
      };
      const existing = await s.applications.getByName(app.name);
      if (existing) {
        const { clientId: _ignored, ...update } = input;
        // the fields the file set, never their values (a client secret may be one)
        await s.applications.update(existing.id, update, Date.now(), (trx) =>
          audit(trx, 'setup.application.update', {
            applicationId: existing.id,
            clientId: existing.clientId,
            name: app.name,
            fields: Object.keys(update),
          }),
        );
        report.updated.push(`application ${app.name}`);
      } else {
        await s.applications.create(input, Date.now(), (trx, created) =>
          audit(trx, 'setup.application.create', {
            applicationId: created.id,
            clientId: created.clientId,
            name: app.name,
          }),
        );
        report.created.push(`application ${app.name}`);
      }
    });
  }
  // each user is one transaction with its audit event: a failed or interrupted apply leaves no half-made user
  for (const [i, u] of (setup.users ?? []).entries()) {
    await wrap(['users', i], async () => {
      const existing = await getUserByUsername(s.db, u.username);
      if (!existing) {
        const prepared = await prepareNewUser(s.hasher, {
          username: u.username,
          password: u.password,
          claims: u.claims ?? {},
          roles: u.roles ?? [],
          ...(u.enabled !== undefined ? { enabled: u.enabled } : {}),
        });
        await s.db.transaction().execute(async (trx) => {
          const user = await insertUser(trx, prepared);
          await s.audit.record(
            {
              event: 'setup.user.create',
              userId: user.id,
              username: user.username,
              data: { by: 'setup', claims: Object.keys(u.claims ?? {}), roles: user.roles },
            },
            trx,
          );
        });
        report.created.push(`user ${prepared.username}`);
        return;
      }
      const passwordHash =
        u.password && options.resetPasswords ? await preparePassword(s.hasher, u.password) : undefined;
      await s.db.transaction().execute(async (trx) => {
        if (u.claims) await setUserClaims(trx, existing.id, u.claims, { asAdmin: true });
        if (u.roles) await setRoles(trx, existing.id, u.roles);
        if (u.enabled !== undefined) await setEnabled(trx, existing.id, u.enabled);
        if (passwordHash !== undefined) await setPasswordHash(trx, existing.id, passwordHash);
        await s.audit.record(
          {
            event: 'setup.user.update',
            userId: existing.id,
            username: existing.username,
            data: { by: 'setup', claims: Object.keys(u.claims ?? {}), passwordReset: passwordHash !== undefined },
          },
          trx,
        );
      });
      report.updated.push(`user ${existing.username}`);
    });
  }
  return report;
}
