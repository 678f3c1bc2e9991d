/**
 * The local authenticators' settings per installation (issue 12: "a local authenticator may carry configuration"):
 * TOTP's code shape and issuer, passkeys' WebAuthn choices. Each is one row of `authenticator_settings` (migration
 * 0008), validated against its schema on save; what no row says comes from the configuration file (`totp.*`) or the
 * built-in defaults. The authenticators read them at every login step, the admin API, the console and setup files
 * edit them. Reads are cached per database handle for a few seconds: a save flushes this node at once, and every
 * other node sees it within CACHE_MS.
 */
import { type Static, Type as T } from '@sinclair/typebox';
import type { Config } from '../config/schema.js';
import { schemaProblems } from '../schema/problems.js';
import type { Db } from '../store/db.js';
import { ValidationError } from './errors.js';

/** How long a node may serve settings another node changed. */
export const CACHE_MS = 5_000;

export const TotpSettingsSchema = T.Object(
  {
    digits: T.Integer({
      minimum: 6,
      maximum: 8,
      title: 'Digits',
      description: 'Digits of a code: 6 (RFC 6238 and every app) or 8.',
    }),
    periodSeconds: T.Integer({
      minimum: 15,
      maximum: 120,
      title: 'Period (seconds)',
      description: 'Seconds a code lasts (30 in every common app).',
    }),
    algorithm: T.Union([T.Literal('SHA1'), T.Literal('SHA256'), T.Literal('SHA512')], {
      title: 'Algorithm',
      description: 'The HMAC of the codes. SHA1 is the only one every app reads from the QR code; apps keep theirs.',
    }),
    driftSteps: T.Integer({
      minimum: 0,
      maximum: 2,
      title: 'Drift window (periods)',
      description: 'Codes this many periods early or late pass too (the phone clock may be off).',
    }),
    issuer: T.String({
      maxLength: 64,
      title: 'Issuer label',
      description: 'The name an app shows beside the username. Blank: the host of the public URL.',
    }),
  },
  { additionalProperties: false, title: 'TotpSettings' },
);

export const PasskeySettingsSchema = T.Object(
  {
    userVerification: T.Union([T.Literal('required'), T.Literal('preferred')], {
      title: 'User verification',
      description:
        'required: every passkey asks for a fingerprint, face or PIN (and is two factors alone); preferred: a security key without one passes as one factor.',
    }),
    attestation: T.Union([T.Literal('none'), T.Literal('direct')], {
      title: 'Attestation',
      description: "none: no statement of the authenticator's make; direct: ask for it (checked when given).",
    }),
    residentKey: T.Union([T.Literal('required'), T.Literal('preferred'), T.Literal('discouraged')], {
      title: 'Discoverable credential (resident key)',
      description: 'A discoverable passkey can be a first step: the browser offers it without a username.',
    }),
    rpName: T.String({
      maxLength: 64,
      title: 'Relying party name',
      description: 'The name the browser shows when a passkey is made. Blank: the host of the public URL.',
    }),
  },
  { additionalProperties: false, title: 'PasskeySettings' },
);

export type TotpSettings = Static<typeof TotpSettingsSchema>;
export type PasskeySettings = Static<typeof PasskeySettingsSchema>;
export type TotpAlgorithm = TotpSettings['algorithm'];

/** The local authenticators with installation settings, by authenticator id. */
export const SETTINGS_SCHEMAS = { totp: TotpSettingsSchema, passkey: PasskeySettingsSchema } as const;
export type SettingsId = keyof typeof SETTINGS_SCHEMAS;
export interface SettingsById {
  totp: TotpSettings;
  passkey: PasskeySettings;
}

export const isSettingsId = (id: string): id is SettingsId => Object.hasOwn(SETTINGS_SCHEMAS, id);

/** What applies with no row: the configuration file's `totp` section, and WebAuthn's safe choices (issue 12 §1). */
export function defaultSettings(config?: Pick<Config, 'totp'>): SettingsById {
  // without the configuration (the passkey step, which reads only its own): RFC 6238's values
  const totp = config?.totp ?? { digits: 6, periodSeconds: 30, driftSteps: 1, issuer: '' };
  return {
    totp: {
      digits: totp.digits,
      periodSeconds: totp.periodSeconds,
      algorithm: 'SHA1',
      driftSteps: totp.driftSteps,
      issuer: totp.issuer,
    },
    passkey: { userVerification: 'required', attestation: 'none', residentKey: 'preferred', rpName: '' },
  };
}

interface Cached {
  at: number;
  rows: Map<string, { settings: Record<string, unknown>; updatedAt: number }>;
}
const caches = new WeakMap<Db, Cached>();

async function storedRows(db: Db, now: number): Promise<Cached['rows']> {
  const hit = caches.get(db);
  if (hit && now - hit.at < CACHE_MS) return hit.rows;
  const rows = new Map<string, { settings: Record<string, unknown>; updatedAt: number }>();
  for (const r of await db.selectFrom('authenticator_settings').selectAll().execute()) {
    try {
      const parsed: unknown = JSON.parse(r.settings);
      if (parsed && typeof parsed === 'object')
        rows.set(r.id, { settings: parsed as Record<string, unknown>, updatedAt: Number(r.updated_at) });
    } catch {
      // a row that is not JSON (edited by hand) counts as absent: the defaults apply, never a failed login
    }
  }
  caches.set(db, { at: now, rows });
  return rows;
}

export interface StoredSettings<Id extends SettingsId> {
  /** what applies now: the stored values over the defaults */
  settings: SettingsById[Id];
  defaults: SettingsById[Id];
  /** when they were last saved; null: never (the defaults apply) */
  updatedAt: number | null;
}

export function createAuthenticatorSettings(db: Db, config?: Pick<Config, 'totp'>) {
  const defaults = defaultSettings(config);
  /** whether a stored row's settings, over these defaults, pass their schema (rows are objects of the read cache) */
  const checkedRows = new WeakMap<object, boolean>();

  async function get<Id extends SettingsId>(id: Id, now = Date.now()): Promise<StoredSettings<Id>> {
    const row = (await storedRows(db, now)).get(id);
    const base = defaults[id];
    const merged = { ...base, ...(row?.settings ?? {}) };
    // a stored value the schema no longer allows (a downgrade, a hand edit) gives way to the defaults as a whole;
    // checked once per row read from the database, not at every login step that asks
    let valid = row === undefined ? true : checkedRows.get(row.settings);
    if (valid === undefined) {
      valid = schemaProblems(SETTINGS_SCHEMAS[id], merged, 'settings').length === 0;
      checkedRows.set(row!.settings, valid);
    }
    return {
      settings: (valid ? merged : base) as SettingsById[Id],
      defaults: base,
      updatedAt: row ? row.updatedAt : null,
    };
  }

  /**
   * Checks `value` (every field, as the schema says) and stores it, in the caller's transaction when given one, so
   * that the write and its audit event commit together. Field problems name `settings.<field>`.
   */
  async function put<Id extends SettingsId>(
    id: Id,
    value: unknown,
    now = Date.now(),
    within: Db = db,
  ): Promise<SettingsById[Id]> {
    const problems = schemaProblems(SETTINGS_SCHEMAS[id], value, 'settings').map((p) => ({
      ...p,
      field: p.field === 'settings' ? p.field : `settings.${p.field}`,
    }));
    if (problems.length > 0) throw new ValidationError(problems);
    const settings = JSON.stringify(value);
    await within
      .insertInto('authenticator_settings')
      .values({ id, settings, updated_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ settings, updated_at: now }))
      .execute();
    caches.delete(db);
    return value as SettingsById[Id];
  }

  /** Back to the defaults: the row goes. */
  async function reset(id: SettingsId, within: Db = db): Promise<void> {
    await within.deleteFrom('authenticator_settings').where('id', '=', id).execute();
    caches.delete(db);
  }

  /** Forgets this node's cached rows: after a transaction that called `put` or `reset` committed. */
  const flush = () => caches.delete(db);

  return { get, put, reset, flush, defaults };
}

export type AuthenticatorSettingsStore = ReturnType<typeof createAuthenticatorSettings>;
