/**
 * The SCIM User resource over Stepgate's users: how local claims appear as SCIM attributes, and how a desired
 * representation (from POST, PUT or a patched copy) is written back through the domain's user functions.
 *
 *   userName ↔ username            name.givenName ↔ …/givenname     name.familyName ↔ …/lastname
 *   emails[0].value ↔ …/emailaddress   phoneNumbers[type mobile].value ↔ …/mobile     active ↔ enabled
 *   roles[].value ↔ roles   urn:stepgate:…:User smsOtpDisabled ↔ …/identity/smsotp_disabled, backupCodes (write-only)
 */
import { parseBackupCodeList } from '../../identity/backup-codes.js';
import { ClaimUri } from '../../identity/claim-uris.js';
import { listLocalClaims } from '../../identity/claims.js';
import { ValidationError } from '../../identity/errors.js';
import { foldUsername } from '../../identity/usernames.js';
import {
  claimsOf,
  getUserById,
  insertUser,
  prepareNewUser,
  preparePassword,
  setEnabled,
  setPasswordHash,
  setRoles,
  setUserClaims,
  type User,
} from '../../identity/users.js';
import type { Db } from '../../store/db.js';
import type { JsonApiServices as Services } from '../json-api/services.js';
import { ScimError } from './errors.js';
import { CORE_USER, STEPGATE_USER } from './schema-uris.js';

export type ScimDoc = Record<string, unknown>;

/** Which SCIM attribute a local claim URI stands for, to name fields in errors the way the client sent them. */
export const SCIM_NAME_OF_CLAIM: Record<string, string> = {
  [ClaimUri.givenName]: 'name.givenName',
  [ClaimUri.lastName]: 'name.familyName',
  [ClaimUri.email]: 'emails.value',
  [ClaimUri.mobile]: 'phoneNumbers[type eq "mobile"].value',
  [ClaimUri.smsOtpDisabled]: `${STEPGATE_USER}:smsOtpDisabled`,
};

const iso = (ms: number) => new Date(ms).toISOString();

export function locationOf(base: string, id: string): string {
  return `${base}/Users/${encodeURIComponent(id)}`;
}

export async function toScimUser(services: Services, user: User, base: string): Promise<ScimDoc> {
  const claims = claimsOf(user, await listLocalClaims(services.db));
  const given = claims[ClaimUri.givenName];
  const family = claims[ClaimUri.lastName];
  const email = claims[ClaimUri.email];
  const mobile = claims[ClaimUri.mobile];
  const name =
    given || family
      ? {
          ...(given ? { givenName: given } : {}),
          ...(family ? { familyName: family } : {}),
          formatted: [given, family].filter(Boolean).join(' '),
        }
      : undefined;
  return {
    schemas: [CORE_USER, STEPGATE_USER],
    id: user.id,
    userName: user.username,
    ...(name ? { name } : {}),
    active: user.enabled,
    ...(email ? { emails: [{ value: email, type: 'work', primary: true }] } : {}),
    ...(mobile ? { phoneNumbers: [{ value: mobile, type: 'mobile', primary: true }] } : {}),
    ...(user.roles.length > 0 ? { roles: user.roles.map((value) => ({ value })) } : {}),
    [STEPGATE_USER]: { smsOtpDisabled: /^true$/i.test(claims[ClaimUri.smsOtpDisabled] ?? '') },
    meta: {
      resourceType: 'User',
      created: iso(user.createdAt),
      lastModified: iso(user.updatedAt),
      location: locationOf(base, user.id),
      version: `W/"${user.updatedAt}"`,
    },
  };
}

// Reading a desired representation -------------------------------------------------------------------------------------

function bad(detail: string): ScimError {
  return new ScimError(400, 'invalidValue', detail);
}

function str(value: unknown, attribute: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw bad(`${attribute} must be a string`);
  return value;
}

/** Booleans, also as the strings "True"/"False" that some provisioning clients send. */
export function bool(value: unknown, attribute: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw bad(`${attribute} must be a boolean`);
}

function list(value: unknown, attribute: string): ScimDoc[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(`${attribute} must be an array`);
  return value.map((v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(`each of ${attribute} must be an object`);
    return v as ScimDoc;
  });
}

/** Looks a property up case-insensitively, as SCIM attribute names are. */
export function prop(doc: ScimDoc | undefined, name: string): unknown {
  if (!doc) return undefined;
  const key = Object.keys(doc).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : doc[key];
}

export interface DesiredUser {
  userName: string;
  claims: Record<string, string>;
  active: boolean;
  roles: string[];
  password?: string;
  backupCodes?: string[];
}

/** A full representation (POST or PUT body, or a patched document) as the values Stepgate stores. */
export function readDesired(doc: ScimDoc): DesiredUser {
  const schemas = prop(doc, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => s === CORE_USER)) throw bad(`schemas must include ${CORE_USER}`);
  const userName = str(prop(doc, 'userName'), 'userName');
  if (userName === '') throw bad('userName is required');
  const name = prop(doc, 'name');
  if (name !== undefined && name !== null && (typeof name !== 'object' || Array.isArray(name)))
    throw bad('name must be an object');
  const emails = list(prop(doc, 'emails'), 'emails');
  const email = emails.find((e) => prop(e, 'primary') === true) ?? emails[0];
  const phones = list(prop(doc, 'phoneNumbers'), 'phoneNumbers');
  const mobile = phones.find((p) => String(prop(p, 'type') ?? '').toLowerCase() === 'mobile');
  const ext = prop(doc, STEPGATE_USER) as ScimDoc | undefined;
  if (ext !== undefined && (ext === null || typeof ext !== 'object' || Array.isArray(ext)))
    throw bad(`${STEPGATE_USER} must be an object`);
  const smsOtpDisabled = prop(ext, 'smsOtpDisabled');
  const active = prop(doc, 'active');
  const password = prop(doc, 'password');
  const backupCodes = prop(ext, 'backupCodes');
  if (backupCodes !== undefined && (!Array.isArray(backupCodes) || backupCodes.some((c) => typeof c !== 'string')))
    throw bad('backupCodes must be an array of strings');
  return {
    userName,
    claims: {
      [ClaimUri.givenName]: str(prop(name as ScimDoc | undefined, 'givenName'), 'name.givenName'),
      [ClaimUri.lastName]: str(prop(name as ScimDoc | undefined, 'familyName'), 'name.familyName'),
      [ClaimUri.email]: str(prop(email, 'value'), 'emails.value'),
      [ClaimUri.mobile]: str(prop(mobile, 'value'), 'phoneNumbers.value'),
      [ClaimUri.smsOtpDisabled]:
        smsOtpDisabled === undefined || smsOtpDisabled === null
          ? 'false'
          : String(bool(smsOtpDisabled, 'smsOtpDisabled')),
    },
    active: active === undefined || active === null ? true : bool(active, 'active'),
    roles: list(prop(doc, 'roles'), 'roles')
      .map((r) => str(prop(r, 'value'), 'roles.value'))
      .filter((r) => r !== ''),
    ...(password !== undefined && password !== null ? { password: str(password, 'password') } : {}),
    ...(Array.isArray(backupCodes) ? { backupCodes: backupCodes as string[] } : {}),
  };
}

// Writing ------------------------------------------------------------------------------------------------------------

/** Only claims that exist as local claims are written (an operator may have removed, say, the name claims). */
async function writableClaims(services: Services, claims: Record<string, string>): Promise<Record<string, string>> {
  const known = new Set((await listLocalClaims(services.db)).map((c) => c.uri));
  return Object.fromEntries(Object.entries(claims).filter(([uri]) => known.has(uri)));
}

function checkRoles(roles: string[]): void {
  const badRole = roles.find((r) => !/^[\w:.-]{1,64}$/.test(r));
  if (badRole !== undefined)
    throw new ValidationError([{ field: 'roles', message: `"${badRole}" is not a role name` }]);
}

/** Runs inside the write's transaction, so the audit event commits with the change it describes. */
export type AuditWithin = (trx: Db, user: User) => Promise<void>;

/** Creates the user, its state and its audit event in one transaction (the password hashed before it opens). */
export async function createFromScim(services: Services, desired: DesiredUser, audit: AuditWithin): Promise<User> {
  checkRoles(desired.roles);
  const backupCodes = desired.backupCodes ? parseBackupCodeList(desired.backupCodes.join(',')) : undefined;
  const claims = Object.fromEntries(
    Object.entries(await writableClaims(services, desired.claims)).filter(([, v]) => v !== ''),
  );
  const prepared = await prepareNewUser(services.hasher, {
    username: desired.userName,
    ...(desired.password !== undefined ? { password: desired.password } : {}),
    claims,
    roles: desired.roles,
    enabled: desired.active,
  });
  return services.db.transaction().execute(async (trx) => {
    const user = await insertUser(trx, prepared);
    if (backupCodes) await services.backupCodes.replace(user.id, backupCodes, Date.now(), trx);
    await audit(trx, user);
    return (await getUserById(trx, user.id))!;
  });
}

/**
 * Replaces the user's SCIM-visible state with `desired` (write-only values are changed only when given), with its
 * audit event, in one transaction.
 */
export async function replaceFromScim(
  services: Services,
  user: User,
  desired: DesiredUser,
  audit: AuditWithin,
): Promise<User> {
  // userName is compared as stored: case-folded (a client sending "Ada" for "ada" changes nothing)
  if (desired.userName !== user.username && foldUsername(desired.userName.trim()) !== user.username)
    throw new ScimError(400, 'mutability', 'userName cannot be changed');
  checkRoles(desired.roles);
  const backupCodes = desired.backupCodes ? parseBackupCodeList(desired.backupCodes.join(',')) : undefined;
  const claims = await writableClaims(services, desired.claims);
  const passwordHash =
    desired.password !== undefined ? await preparePassword(services.hasher, desired.password) : undefined;
  return services.db.transaction().execute(async (trx) => {
    await setUserClaims(trx, user.id, claims, { asAdmin: true });
    if (passwordHash !== undefined) await setPasswordHash(trx, user.id, passwordHash);
    const roles = [...new Set(desired.roles)].sort();
    if (roles.join(',') !== user.roles.join(',')) await setRoles(trx, user.id, roles);
    if (desired.active !== user.enabled) await setEnabled(trx, user.id, desired.active);
    if (backupCodes) await services.backupCodes.replace(user.id, backupCodes, Date.now(), trx);
    await audit(trx, user);
    return (await getUserById(trx, user.id))!;
  });
}
